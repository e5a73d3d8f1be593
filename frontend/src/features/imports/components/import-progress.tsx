import { type ImportJob, STATUS_LABELS } from "../types";

export function ImportProgress({ job }: { job: ImportJob }) {
  const status = job.status ?? "queued";
  const percent = Math.round((job.progress ?? 0) * 100);
  return (
    <div className="import-progress">
      <label htmlFor={`import-progress-${job.id}`}>Progress</label>
      <progress
        id={`import-progress-${job.id}`}
        max={1}
        value={status === "succeeded" ? 1 : (job.progress ?? 0)}
        data-testid="import-progress"
      >
        {percent}%
      </progress>
      <p aria-live="polite">
        Status:{" "}
        <strong className={`status status-${status}`} data-testid="import-status" data-status={status}>
          {STATUS_LABELS[status]}
        </strong>
        {status === "running" ? ` (${percent}%)` : null}
      </p>
    </div>
  );
}
