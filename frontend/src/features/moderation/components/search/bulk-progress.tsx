import { ErrorMessage } from "@/components/ui/error-message";
import { formatCount } from "@/lib/format";

import { useBulkAction } from "../../api/search";
import { BULK_LABELS, doneWord } from "./bulk-action-dialog";

/** A bulk action's live progress, then its outcome (with the first failures and why). */
export function BulkProgress({ bulkId, onDismiss }: { bulkId: number; onDismiss: () => void }) {
  const bulk = useBulkAction(bulkId);
  if (bulk.isError) return <ErrorMessage error={bulk.error} title="Could not read the bulk action" />;
  if (!bulk.data) return null;
  const data = bulk.data;
  const handled = data.done_count + data.unchanged_count + data.failed_count;
  const finished = data.state === "succeeded" || data.state === "failed";
  return (
    <section className="card stack" aria-live="polite" data-testid="bulk-progress" data-state={data.state}>
      <h2 className="h3">
        {BULK_LABELS[data.kind]}: {formatCount(data.total)} contents
      </h2>
      <progress className="bulk-progress-bar" max={data.total} value={handled} aria-label="Contents handled" />
      <p data-testid="bulk-progress-text">
        {finished ? (data.state === "failed" ? "Stopped. " : "Finished. ") : "Working… "}
        {formatCount(data.done_count)} {doneWord(data.kind)}, {formatCount(data.unchanged_count)} already so,{" "}
        {formatCount(data.failed_count)} failed — {formatCount(handled)} of {formatCount(data.total)}.
      </p>
      {data.error_message ? <p className="alert alert-error">{data.error_message}</p> : null}
      {data.failures.length > 0 ? (
        <ul className="plain-list" data-testid="bulk-failures">
          {data.failures.map((failure) => (
            <li key={failure.content}>
              Content {failure.content}: <bdi>{failure.message}</bdi>
            </li>
          ))}
        </ul>
      ) : null}
      {finished ? (
        <div>
          <button type="button" className="btn" onClick={onDismiss} data-testid="bulk-dismiss">
            Close
          </button>
        </div>
      ) : null}
    </section>
  );
}
