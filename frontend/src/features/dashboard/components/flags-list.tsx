import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { formatDateTime } from "@/lib/format";

import { FLAGS_PAGE_SIZE, useFlags } from "../api/get-flags";
import { useResolveFlag } from "../api/resolve-flag";

/** Items annotators flagged as unclear; resolving one moves it to the resolved list. */
export function FlagsList({ projectId }: { projectId: number }) {
  const [resolved, setResolved] = useState(false);
  const [page, setPage] = useState(1);
  const flags = useFlags({ projectId, resolved, page });
  const resolve = useResolveFlag();

  function show(next: boolean) {
    setResolved(next);
    setPage(1);
  }

  return (
    <div className="stack" data-testid="flags">
      <div className="segmented" role="group" aria-label="Which flags">
        <button type="button" aria-pressed={!resolved} onClick={() => show(false)}>
          Open
        </button>
        <button type="button" aria-pressed={resolved} onClick={() => show(true)}>
          Resolved
        </button>
      </div>
      <ErrorMessage error={resolve.error} title="Could not resolve the flag" />
      {flags.isPending ? (
        <Loading label="Loading flags…" />
      ) : !flags.data ? (
        <ErrorMessage error={flags.error} title="Could not load the flags" />
      ) : flags.data.results.length === 0 ? (
        <p className="hint" data-testid="flags-empty">
          {resolved ? "No resolved flags." : "No open flags."}
        </p>
      ) : (
        <>
          <table className="table table-compact" data-testid="flags-table">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Flagged by</th>
                <th scope="col">Reason</th>
                <th scope="col">When</th>
                <th scope="col">{resolved ? "Resolved" : <span className="visually-hidden">Action</span>}</th>
              </tr>
            </thead>
            <tbody>
              {flags.data.results.map((flag) => (
                <tr key={flag.id} data-testid="flag-row" data-flag-id={flag.id}>
                  <th scope="row" className="break-anywhere">
                    <Link to={`${paths.projectItems.href(projectId)}/${flag.item}`}>{flag.item_external_id}</Link>
                  </th>
                  <td>{flag.user || "—"}</td>
                  <td className="pre-wrap">{flag.reason || <span className="hint">No reason given</span>}</td>
                  <td>{formatDateTime(flag.created_at)}</td>
                  <td>
                    {flag.resolved_at ? (
                      `${flag.resolved_by ?? "—"}, ${formatDateTime(flag.resolved_at)}`
                    ) : (
                      <button
                        type="button"
                        className="btn-small"
                        disabled={resolve.isPending && resolve.variables?.flagId === flag.id}
                        onClick={() => resolve.mutate({ projectId, flagId: flag.id })}
                        data-testid="flag-resolve"
                      >
                        Resolve
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={page} pageSize={FLAGS_PAGE_SIZE} count={flags.data.count} onPageChange={setPage} label="Flag pages" />
        </>
      )}
    </div>
  );
}
