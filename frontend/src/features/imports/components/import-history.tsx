import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime } from "@/lib/format";

import { useImports } from "../api/get-imports";
import { STATUS_LABELS } from "../types";

type ImportHistoryProps = {
  projectId: number;
  jobHref: (importId: number) => string;
};

export function ImportHistory({ projectId, jobHref }: ImportHistoryProps) {
  const imports = useImports({ projectId });
  return (
    <section aria-labelledby="import-history-heading" className="stack">
      <h2 id="import-history-heading">Earlier imports</h2>
      <ErrorMessage error={imports.error} title="Could not load earlier imports" />
      {imports.isPending ? <Loading /> : null}
      {imports.data && imports.data.results.length === 0 ? <p className="hint">None yet.</p> : null}
      {imports.data && imports.data.results.length > 0 ? (
        <table className="table table-compact" data-testid="import-history">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col" className="numeric">
                Rows
              </th>
              <th scope="col" className="numeric">
                Created
              </th>
              <th scope="col" className="numeric">
                Errors
              </th>
              <th scope="col">By</th>
              <th scope="col">Started</th>
              <th scope="col">Uploaded file</th>
            </tr>
          </thead>
          <tbody>
            {imports.data.results.map((job) => (
              <tr key={job.id}>
                <th scope="row">
                  <Link to={jobHref(job.id)}>{job.original_name || `Import ${job.id}`}</Link>
                </th>
                <td>{job.status ? STATUS_LABELS[job.status] : "—"}</td>
                <td className="numeric">{formatCount(job.rows_seen)}</td>
                <td className="numeric">{formatCount(job.items_created)}</td>
                <td className="numeric">{formatCount(job.error_count)}</td>
                <td>{job.created_by ?? "—"}</td>
                <td>{formatDateTime(job.created_at)}</td>
                <td>
                  {job.file_url ? (
                    <a href={job.file_url} download data-testid="import-file-download">
                      Download
                    </a>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
