import { type ReactNode, useEffect, useId, useRef } from "react";

type DialogProps = {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
};

/** A modal dialog; focus moves into it and back when it closes, Esc closes it. */
export function Dialog({ title, onClose, children, testId }: DialogProps) {
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.focus();
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      close.current();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      previous?.focus();
    };
  }, []);

  return (
    <div className="mod-dialog-backdrop" onClick={onClose}>
      <div
        ref={dialog}
        className="mod-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        data-testid={testId}
      >
        <div className="mod-dialog-header">
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

type ConfirmDialogProps = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
};

/** Asks before an action that changes what serves or decides; nothing happens on Cancel. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, danger }: ConfirmDialogProps) {
  return (
    <Dialog title={title} onClose={onCancel} testId="confirm-dialog">
      <div className="stack">
        {children}
        <div className="button-group">
          <button
            type="button"
            className={danger ? "btn btn-danger" : "btn btn-primary"}
            onClick={onConfirm}
            data-testid="confirm-yes"
          >
            {confirmLabel}
          </button>
          <button type="button" className="btn" onClick={onCancel} data-testid="confirm-no">
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}
