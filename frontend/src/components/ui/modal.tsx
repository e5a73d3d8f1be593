import { type ReactNode, useEffect, useId, useRef } from "react";

type ModalProps = {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Names the dialog and, with a `-backdrop` suffix, the backdrop around it. */
  testId?: string;
  /**
   * Whether the modal listens for Esc itself (the default). Turn it off where the page's own key
   * listener already maps Esc to closing, so the key is handled in one place wherever focus is.
   */
  closeOnEscape?: boolean;
};

/**
 * A modal dialog labelled by its title. Focus moves into it when it opens and back to where it
 * was when it closes; the Close button, a click on the backdrop and Esc close it.
 */
export function Modal({ title, onClose, children, testId, closeOnEscape = true }: ModalProps) {
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    return () => previous?.focus();
  }, []);

  useEffect(() => {
    if (!closeOnEscape) return;
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      close.current();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [closeOnEscape]);

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
