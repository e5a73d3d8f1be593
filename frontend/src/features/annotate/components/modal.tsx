import { type ReactNode, useEffect, useId, useRef } from "react";

type ModalProps = {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
};

/**
 * A dialog over the workspace. Esc is handled by the workspace's key listener (so the same key
 * closes it wherever focus is); focus moves into the dialog and back when it closes.
 */
export function Modal({ title, onClose, children, testId }: ModalProps) {
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    return () => previous?.focus();
  }, []);

  return (
    <div className="modal-backdrop" onClick={onClose} data-testid={testId ? `${testId}-backdrop` : undefined}>
      <div
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        data-testid={testId}
      >
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" onClick={onClose}>
            Close <kbd>Esc</kbd>
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
