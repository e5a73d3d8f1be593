import { ErrorMessage } from "@/components/ui/error-message";
import { formatPercent } from "@/lib/format";

import { useCreateSnapshotExport } from "../api/create-snapshot-export";
import { type DatasetFormat, FORMAT_LABELS, type Snapshot, type SnapshotExport } from "../types";

type SnapshotDownloadsProps = {
  projectId: number;
  snapshot: Snapshot;
  formats: DatasetFormat[];
};

/** "12.3 MB" for a file size in bytes. */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * One control per format: Prepare (writes the file in a job), its progress while it is written,
 * then the download link; a failed one says why and offers to try again.
 */
export function SnapshotDownloads({ projectId, snapshot, formats }: SnapshotDownloadsProps) {
  const create = useCreateSnapshotExport();
  const byFormat = new Map<DatasetFormat, SnapshotExport>(snapshot.exports.map((item) => [item.format, item]));
  const pendingFormat = create.isPending ? create.variables.format : null;

  function prepare(format: DatasetFormat) {
    create.mutate({ projectId, number: snapshot.number, format });
  }

  return (
    <div className="stack">
      <ul className="snapshot-downloads plain-list" aria-label={`Downloads of snapshot ${snapshot.number}`}>
        {formats.map((format) => {
          const item = byFormat.get(format);
          const label = FORMAT_LABELS[format];
          return (
            <li key={format} className="snapshot-download" data-testid={`snapshot-export-${format}`} data-state={item?.state ?? "none"}>
              <span className="snapshot-download-format">{label}</span>
              {!item ? (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={pendingFormat === format}
                  onClick={() => prepare(format)}
                  aria-label={`Prepare ${label} of snapshot ${snapshot.number}`}
                  data-testid="export-prepare"
                >
                  {pendingFormat === format ? "Asking…" : "Prepare"}
                </button>
              ) : item.state === "succeeded" && item.download_url ? (
                <a
                  className="btn btn-small btn-primary"
                  href={item.download_url}
                  download={item.file_name || undefined}
                  title={item.sha256 ? `SHA-256 ${item.sha256}` : undefined}
                  aria-label={`Download ${label} of snapshot ${snapshot.number}`}
                  data-testid="export-download"
                >
                  Download{item.size_bytes ? ` (${formatBytes(item.size_bytes)})` : ""}
                </a>
              ) : item.state === "failed" ? (
                <>
                  <span className="status-failed" role="alert" data-testid="export-error">
                    Failed{item.error_message ? `: ${item.error_message}` : "."}
                  </span>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={pendingFormat === format}
                    onClick={() => prepare(format)}
                    aria-label={`Retry ${label} of snapshot ${snapshot.number}`}
                    data-testid="export-retry"
                  >
                    Retry
                  </button>
                </>
              ) : (
                <>
                  <progress
                    max={1}
                    value={item.progress ?? 0}
                    aria-label={`Progress of ${label} of snapshot ${snapshot.number}`}
                    data-testid="export-progress"
                  />
                  <span className="hint" aria-live="polite">
                    {item.state === "queued" ? "Queued" : formatPercent(item.progress, 0)}
                  </span>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {create.isError ? (
        <ErrorMessage error={create.error} title={`Could not prepare ${FORMAT_LABELS[create.variables.format]}`} />
      ) : null}
    </div>
  );
}
