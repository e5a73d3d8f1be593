import type { ReactNode } from "react";

import { Modal } from "@/components/ui/modal";

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
    <Modal title={title} onClose={onCancel} testId="confirm-dialog">
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
    </Modal>
  );
}
