import { useCallback } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime, formatPercent } from "@/lib/format";

import { useTrainingJobs } from "../api/get-training-jobs";
import { useJobFinished } from "../hooks/use-job-finished";
import { useRefreshModelQueries } from "../hooks/use-refresh-model-queries";
import { JOB_KIND_LABELS, JOB_STATUS_LABELS, JOB_TRIGGER_LABELS, type TrainingJob } from "../types";
import { groupWaitingJobs, type JobGroup } from "../utils/job-groups";
import { TrainingJobProgress } from "./training-job-progress";

type TrainingJobsProps = {
  projectId: number;
  /** Called once per job that finishes while the page is open, e.g. to refresh the items. */
  onJobFinished?: (job: TrainingJob) => void;
};

/**
 * The latest training job in full, polled every second while it is queued or running, and the
 * earlier ones in a table. Jobs that waited for labels one after another take one line.
 */
export function TrainingJobs({ projectId, onJobFinished }: TrainingJobsProps) {
  const jobs = useTrainingJobs({ projectId });
  const refreshModels = useRefreshModelQueries(projectId);
  const finished = useCallback(
    (job: TrainingJob) => {
      refreshModels();
      onJobFinished?.(job);
    },
    [refreshModels, onJobFinished],
  );
  useJobFinished(jobs.data?.results, finished);

  if (jobs.isPending) return <Loading label="Loading training jobs…" />;
  if (!jobs.data) return <ErrorMessage error={jobs.error} title="Could not load the training jobs" />;

  const [latest, ...earlier] = groupWaitingJobs(jobs.data.results);
  return (
    <div className="stack" data-testid="training-jobs">
      {/* A failed poll keeps the last known state on screen and says why it is not moving. */}
      <ErrorMessage error={jobs.error} title="Could not refresh the training jobs" />
      {latest ? (
        <div className="card">
          <TrainingJobProgress job={latest.job} />
          {latest.count > 1 ? (
            <p className="hint" data-testid="training-job-repeats">
              {waitingRunText(latest)}
            </p>
          ) : null}
        </div>
      ) : (
        <p className="hint">No training job yet.</p>
      )}
      {earlier.length > 0 ? (
        <table className="table table-compact">
          <caption>Earlier jobs</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
              <th scope="col">Trigger</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {earlier.map(({ job, count, oldest }) => (
              <tr key={job.id}>
                <th scope="row">{count > 1 ? `${oldest.id}–${job.id}` : job.id}</th>
                <td>{JOB_KIND_LABELS[job.kind]}</td>
                <td>
                  <span className={`status status-${job.status}`} data-testid="training-job-status" data-status={job.status}>
                    {JOB_STATUS_LABELS[job.status]}
                  </span>
                  {count > 1 ? ` (${count} jobs)` : null}
                  {job.status === "running" ? ` ${formatPercent(job.progress, 0)}` : null}
                </td>
                <td className="pre-wrap">{job.status === "failed" ? job.error || job.message : job.message || job.step}</td>
                <td>{JOB_TRIGGER_LABELS[job.trigger] ?? job.trigger}</td>
                <td>{formatDateTime(oldest.started_at)}</td>
                <td>{formatDateTime(job.finished_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function waitingRunText({ job, count, oldest }: JobGroup): string {
  return `${count} jobs in a row waited for labels (jobs ${oldest.id}–${job.id}); only the latest is shown.`;
}
