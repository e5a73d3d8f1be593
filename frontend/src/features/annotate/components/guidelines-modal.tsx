import { Modal } from "@/components/ui/modal";

type GuidelinesModalProps = {
  guidelinesHtml: string;
  onClose: () => void;
};

export function GuidelinesModal({ guidelinesHtml, onClose }: GuidelinesModalProps) {
  return (
    // Esc is one of the workspace's keys (it closes whichever window is open), not the modal's.
    <Modal title="Guidelines" onClose={onClose} testId="guidelines-modal" closeOnEscape={false}>
      {guidelinesHtml ? (
        // guidelines_html is rendered from Markdown and cleaned by nh3 on the server (scripts,
        // event handlers and unknown tags removed). Item content is always rendered as text.
        // eslint-disable-next-line no-restricted-syntax
        <div className="guidelines" dangerouslySetInnerHTML={{ __html: guidelinesHtml }} />
      ) : (
        <p className="hint">This project has no guidelines yet.</p>
      )}
    </Modal>
  );
}
