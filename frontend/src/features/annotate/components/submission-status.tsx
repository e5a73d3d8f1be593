import type { FailedOp, OutboxOp, OutboxSnapshot } from "../utils/outbox";

type SubmissionStatusProps = {
  snapshot: OutboxSnapshot;
  onRetryNow: () => void;
  onDismiss: (id: string) => void;
};

function countWords(ops: readonly OutboxOp[]): string {
  const labels = ops.filter((op) => op.kind !== "skip").length;
  const total = ops.length;
  if (labels === total) return `${total} ${total === 1 ? "label" : "labels"}`;
  if (labels === 0) return `${total} ${total === 1 ? "skip" : "skips"}`;
  return `${total} changes`;
}

function describe(op: OutboxOp): string {
  switch (op.kind) {
    case "submit":
      return `Label "${op.labels.join(", ")}" for item ${op.externalId}`;
    case "edit":
      return `Change of item ${op.externalId} to "${op.labels.join(", ")}"`;
    case "skip":
      return `Skip of item ${op.externalId}`;
  }
}

/**
 * Whether every answer reached the server. Answers go out in the background; one that cannot
 * be sent yet says so and is retried, and one the server refused stays listed until dismissed.
 */
export function SubmissionStatus({ snapshot, onRetryNow, onDismiss }: SubmissionStatusProps) {
  const { pending, failed } = snapshot;
  const retrying = pending.some((entry) => entry.attempts > 0);
  const state = retrying ? "retrying" : pending.length > 0 ? "saving" : "saved";
  const lastError = pending.find((entry) => entry.lastError)?.lastError;
  const ops = pending.map((entry) => entry.op);

  return (
    <div className="stack">
      <div className="submission-status" role="status" aria-live="polite" data-testid="submission-status" data-state={state}>
        {state === "retrying" ? (
          <>
            <span data-testid="submission-status-text">
              {countWords(ops)} waiting to be saved — retrying
              {lastError ? <span className="hint"> ({lastError})</span> : null}
            </span>
            <button type="button" className="btn-small" onClick={onRetryNow}>
              Retry now
            </button>
          </>
        ) : state === "saving" ? (
          <span data-testid="submission-status-text">Saving {countWords(ops)}…</span>
        ) : (
          <span data-testid="submission-status-text">All labels saved</span>
        )}
      </div>
      {failed.length > 0 ? <FailedList failed={failed} onDismiss={onDismiss} /> : null}
    </div>
  );
}

function FailedList({ failed, onDismiss }: { failed: readonly FailedOp[]; onDismiss: (id: string) => void }) {
  return (
    <div role="alert" className="alert alert-error" data-testid="submission-failures">
      <strong>
        {failed.length === 1 ? "1 change was" : `${failed.length} changes were`} not saved and will not be retried:
      </strong>
      <ul className="submission-failures">
        {failed.map((entry) => (
          <li key={entry.op.id} data-testid="submission-failure">
            <span>
              {describe(entry.op)}: {entry.message}
            </span>
            <button type="button" className="btn-small" onClick={() => onDismiss(entry.op.id)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
