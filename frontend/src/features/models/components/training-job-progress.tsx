import { formatDateTime } from "@/lib/format";

import { isJobActive, JOB_KIND_LABELS, JOB_STATUS_LABELS, JOB_TRIGGER_LABELS, type TrainingJob } from "../types";

/** One job's state: a progress bar while it works, its step and message, why it waits or failed. */
export function TrainingJobProgress({ job }: { job: TrainingJob }) {
  const percent = Math.round((job.progress ?? 0) * 100);
  const active = isJobActive(job.status);
  const barId = `training-job-progress-${job.id}`;
  return (
    <div className="import-progress" data-testid="training-job">
      <p aria-live="polite">
        {JOB_KIND_LABELS[job.kind]} job {job.id}:{" "}
        <strong
          className={`status status-${job.status}`}
          data-testid="training-job-status"
          data-status={job.status}
        >
          {JOB_STATUS_LABELS[job.status]}
        </strong>
        {active && job.step ? ` — ${job.step}` : null}
        {job.status === "running" ? ` (${percent}%)` : null}
      </p>
      {job.status === "failed" || job.status === "waiting" ? null : (
        <>
          <label htmlFor={barId} className="visually-hidden">
            Progress of {JOB_KIND_LABELS[job.kind].toLowerCase()} job {job.id}
          </label>
          <progress
            id={barId}
            max={1}
            value={job.status === "succeeded" ? 1 : (job.progress ?? 0)}
            data-testid="training-job-progress"
          >
            {percent}%
          </progress>
        </>
      )}
      {job.status === "waiting" ? (
        <p className="alert alert-warning pre-wrap" data-testid="training-job-waiting">
          No model yet{job.message ? `: ${job.message}` : ": there are too few labels."}
        </p>
      ) : null}
      {job.status === "failed" ? (
        <p role="alert" className="alert alert-error pre-wrap" data-testid="training-job-error">
          Training failed
          {job.error ? (
            <>
              : <bdi>{job.error}</bdi>
            </>
          ) : (
            "."
          )}
        </p>
      ) : null}
      {job.status !== "waiting" && job.message ? (
        <p className="hint pre-wrap" data-testid="training-job-message">
          {job.message}
        </p>
      ) : null}
      <p className="hint">
        {JOB_TRIGGER_LABELS[job.trigger] ?? job.trigger}
        {job.requested_by ? ` (${job.requested_by})` : null}
        {job.started_at ? ` · started ${formatDateTime(job.started_at)}` : ` · queued ${formatDateTime(job.created_at)}`}
        {job.finished_at ? ` · finished ${formatDateTime(job.finished_at)}` : null}
        {job.rerun_requested && isJobActive(job.status) ? " · runs once more when done (new labels arrived)" : null}
      </p>
    </div>
  );
}
