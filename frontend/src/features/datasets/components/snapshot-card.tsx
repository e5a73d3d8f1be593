import { Link } from "react-router";

import { paths } from "@/config/paths";
import { apiUrl } from "@/lib/api-client";
import { formatDateTime, formatPercent } from "@/lib/format";

import { type DatasetFormat, isStateActive, type Snapshot, STATE_LABELS } from "../types";
import { filtersSummary, hasAutomaticSources, snapshotTitle } from "../utils/filters";
import { CountsFacts } from "./counts-facts";
import { SnapshotDownloads } from "./snapshot-downloads";

type SnapshotCardProps = {
  projectId: number;
  snapshot: Snapshot;
  formats: DatasetFormat[];
  highlighted?: boolean;
};

/** One snapshot: who cut it and when, its state (a live bar while cut), filters, counts, the
 * model versions trained on it and its downloads. */
export function SnapshotCard({ projectId, snapshot, formats, highlighted = false }: SnapshotCardProps) {
  const active = isStateActive(snapshot.state);
  const percent = formatPercent(snapshot.progress, 0);
  return (
    <article
      id={`snapshot-${snapshot.number}`}
      className={`card stack snapshot-card${highlighted ? " snapshot-card-highlighted" : ""}`}
      aria-labelledby={`snapshot-${snapshot.number}-title`}
      data-testid="snapshot-row"
      data-number={snapshot.number}
    >
      <header className="snapshot-card-header">
        <h3 id={`snapshot-${snapshot.number}-title`}>
          Snapshot <bdi>{snapshotTitle(snapshot)}</bdi>
        </h3>
        <strong className={`status status-${snapshot.state}`} data-testid="snapshot-state" data-state={snapshot.state}>
          {STATE_LABELS[snapshot.state]}
          {snapshot.state === "running" ? ` ${percent}` : null}
        </strong>
        <span className="hint">
          {snapshot.created_by ? `by ${snapshot.created_by}` : snapshot.training_job_id ? "by a training run" : "by —"}
          {" · "}
          {formatDateTime(snapshot.created_at)}
        </span>
      </header>
      {active ? (
        <div className="snapshot-progress">
          <progress
            max={1}
            value={snapshot.progress ?? 0}
            aria-label={`Progress of snapshot ${snapshot.number}`}
            data-testid="snapshot-progress"
          />
          <span className="hint" aria-live="polite">
            {snapshot.rows_total
              ? `${snapshot.rows_done.toLocaleString("en")} of ${snapshot.rows_total.toLocaleString("en")} items`
              : "Waiting for a worker…"}
          </span>
        </div>
      ) : null}
      {snapshot.state === "failed" ? (
        <p role="alert" className="alert alert-error pre-wrap" data-testid="snapshot-error">
          The snapshot could not be cut{snapshot.error_message ? `: ${snapshot.error_message}` : "."}
        </p>
      ) : null}
      <p className="snapshot-filters" data-testid="snapshot-filters">
        <span className="hint">Filters: </span>
        {filtersSummary(snapshot.filters)}
        {hasAutomaticSources(snapshot.filters?.sources) ? (
          <span className="chip chip-warning" title="Rows labeled by the model itself are marked is_automatic.">
            includes automatic labels
          </span>
        ) : null}
      </p>
      {snapshot.state === "succeeded" ? <CountsFacts counts={snapshot.counts} detailed={false} testId="snapshot-counts" /> : null}
      {snapshot.model_versions.length ? (
        <p className="snapshot-trained" data-testid="snapshot-trained">
          <span className="hint">Trained: </span>
          {snapshot.model_versions.map((version) => (
            <Link
              key={version.id}
              className="chip"
              to={paths.projectModels.href(projectId)}
              title={`Model version ${version.version} (${version.stage}) was trained on this snapshot`}
              data-testid="snapshot-trained-version"
            >
              v{version.version}
            </Link>
          ))}
        </p>
      ) : null}
      {snapshot.state === "succeeded" ? (
        <SnapshotDownloads projectId={projectId} snapshot={snapshot} formats={formats} />
      ) : null}
      {snapshot.content_hash ? (
        <p className="hint break-anywhere">
          Content {snapshot.content_hash.slice(0, 12)}
          {snapshot.manifest_sha256 ? ` · manifest SHA-256 ${snapshot.manifest_sha256.slice(0, 12)}` : null}
          {snapshot.label_rule ? ` · label rule: ${snapshot.label_rule}` : null}
          {snapshot.state === "succeeded" ? (
            <>
              {" · "}
              <a
                href={apiUrl(`/projects/${projectId}/snapshots/${snapshot.number}/manifest/`)}
                target="_blank"
                rel="noreferrer"
                data-testid="snapshot-manifest"
              >
                manifest
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </article>
  );
}
