import { Modal } from "@/components/ui/modal";

const KEYS: [string, string][] = [
  ["a", "Approve (allow the content)"],
  ["r", "Remove the content"],
  ["e", "Escalate to the senior queue"],
  ["1–9", "Pick a reason code (numbered for the chosen action)"],
  ["Enter", "Send the decision and take the next content"],
  ["w", "Warn the author (adds a strike)"],
  ["s", "Suspend the author (adds a strike; set the days)"],
  ["c", "Write a note"],
  ["v", "Reveal the image (or blur it again)"],
  ["g", "Grayscale on or off"],
  ["n", "Skip: take the next content and give this one back"],
  ["?", "Open or close this help"],
  ["Esc", "Close a window, leave a text field, or clear the decision"],
];

/** Every key of the review panel. */
export function ReviewHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="review-help">
      <dl className="mod-keys">
        {KEYS.map(([key, meaning]) => (
          <div key={key} style={{ display: "contents" }}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">Keys do nothing while you type in the note or the days field.</p>
    </Modal>
  );
}
