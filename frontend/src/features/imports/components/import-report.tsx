import { formatCount } from "@/lib/format";

import type { ImportJob } from "../types";

/** What an import did: counts, each refused row with its line, unknown labels, or why it failed. */
export function ImportReport({ job }: { job: ImportJob }) {
  return (
    <section className="stack" aria-labelledby={`import-report-${job.id}`}>
      <h3 id={`import-report-${job.id}`}>
        Report for <bdi>{job.original_name || `import ${job.id}`}</bdi>
      </h3>
      {job.status === "failed" ? (
        <div role="alert" className="alert alert-error" data-testid="import-error-message">
          The import failed
          {job.error_message ? (
            <>
              : <bdi>{job.error_message}</bdi>
            </>
          ) : (
            "."
          )}
        </div>
      ) : null}
      <dl className="facts">
        <div>
          <dt>Rows seen</dt>
          <dd data-testid="import-rows-seen">{formatCount(job.rows_seen)}</dd>
        </div>
        <div>
          <dt>Items created</dt>
          <dd data-testid="import-items-created">{formatCount(job.items_created)}</dd>
        </div>
        <div>
          <dt>Already in the project</dt>
          <dd data-testid="import-items-existing">{formatCount(job.items_existing)}</dd>
        </div>
        {job.duplicate_rows ? (
          <div>
            <dt>Duplicate rows in the file</dt>
            <dd data-testid="import-duplicate-rows">{formatCount(job.duplicate_rows)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Annotations created</dt>
          <dd data-testid="import-annotations-created">{formatCount(job.annotations_created)}</dd>
        </div>
        <div>
          <dt>Row errors</dt>
          <dd data-testid="import-error-count">{formatCount(job.error_count)}</dd>
        </div>
      </dl>
      {Object.keys(job.skipped ?? {}).length > 0 ? (
        <div data-testid="import-skipped">
          <strong>Not imported from rows that were imported:</strong>
          <ul>
            {Object.entries(job.skipped)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([reason, count]) => (
                <li key={reason}>
                  <bdi>{reason}</bdi>: {formatCount(count)}
                </li>
              ))}
          </ul>
        </div>
      ) : null}
      {job.unknown_labels.length > 0 ? (
        <div className="alert alert-warning" data-testid="import-unknown-labels">
          <strong>Labels that are not label classes of this project:</strong>{" "}
          {job.unknown_labels.join(", ")}
        </div>
      ) : null}
      {job.errors.length > 0 ? (
        <>
          <table className="table table-compact" data-testid="import-errors">
            <caption>
              Rows reported (not imported, or imported without the part named)
              {(job.error_count ?? 0) > job.errors.length
                ? ` (the first ${formatCount(job.errors.length)} of ${formatCount(job.error_count)})`
                : null}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="numeric">
                  Line
                </th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((error, index) => (
                <tr key={`${error.line}-${index}`}>
                  <td className="numeric">{error.line}</td>
                  <td className="pre-wrap">{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
