import { Link } from "react-router";

import { paths } from "@/config/paths";
import { formatCount, formatDateTime, formatDuration } from "@/lib/format";

import type { ProjectStatus, ProjectStatusFailure } from "../types";

import "./project-status-line.css";

type ProjectStatusLineProps = {
  projectId: number;
  status: ProjectStatus;
  /** Link failures to the Import and Models tabs (only people who may open those tabs). */
  linkFailures: boolean;
  /** One line for a row of the projects list: no progress bar, failures counted. */
  compact?: boolean;
};

const FAILURE_NAMES: Record<ProjectStatusFailure["kind"], string> = {
  import: "The last import",
  embedding: "The last embedding job",
  training: "The last training job",
};

/** What is happening in the project now, most important first, and what failed last. */
export function ProjectStatusLine({ projectId, status, linkFailures, compact = false }: ProjectStatusLineProps) {
  const share = status.total ? Math.min(1, (status.done ?? 0) / status.total) : null;
  const details: string[] = [];
  if (status.eta_seconds !== null && status.active) details.push(`${formatDuration(status.eta_seconds)} left`);
  if (status.phase === "training" && status.since) details.push(`since ${formatDateTime(status.since)}`);
  if (status.phase === "model_live" && status.model) details.push(`trained ${formatDateTime(status.model.trained_at)}`);
  if (status.phase !== "model_live" && status.model) details.push(`version ${formatCount(status.model.version)} serves meanwhile`);

  return (
    <div
      className={`project-status${compact ? " project-status-compact" : ""}`}
      data-testid="project-status"
      data-phase={status.phase}
      data-active={status.active ? "true" : "false"}
    >
      <p className="project-status-now" role="status">
        {status.active ? <span className="project-status-dot" aria-hidden="true" /> : null}
        <span data-testid="project-status-message">{status.message}</span>
        {details.length > 0 ? <span className="hint"> ({details.join("; ")})</span> : null}
      </p>
      {!compact && share !== null && status.active ? (
        <progress max={1} value={share} aria-label="Progress" data-testid="project-status-progress" />
      ) : null}
      {status.failures.length > 0 ? (
        compact ? (
          <p className="project-status-failed" data-testid="project-status-failures">
            {status.failures.map((failure) => FAILURE_NAMES[failure.kind]).join(", ")} failed.
          </p>
        ) : (
          <ul className="plain-list project-status-failed" data-testid="project-status-failures">
            {status.failures.map((failure) => (
              <li key={failure.kind}>
                {FAILURE_NAMES[failure.kind]} failed ({formatDateTime(failure.at)}):{" "}
                <bdi className="break-anywhere">{failure.message}</bdi>
                {linkFailures ? (
                  <>
                    {" "}
                    <Link
                      to={
                        failure.kind === "import"
                          ? paths.projectImport.href(projectId, failure.job_id)
                          : paths.projectModels.href(projectId)
                      }
                    >
                      {failure.kind === "import" ? "See the import" : "See the jobs"}
                    </Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
