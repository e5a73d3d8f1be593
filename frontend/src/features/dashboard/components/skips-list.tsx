import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { formatDateTime } from "@/lib/format";

import { SKIPS_PAGE_SIZE, useSkips } from "../api/get-skips";

/**
 * Items annotators skipped and why (reasons are shown as text). Many skips of one kind point at
 * guidelines to extend or items that cannot be labeled.
 */
export function SkipsList({ projectId }: { projectId: number }) {
  const [page, setPage] = useState(1);
  const skips = useSkips({ projectId, page });

  if (skips.isPending) return <Loading label="Loading skips…" />;
  if (!skips.data) return <ErrorMessage error={skips.error} title="Could not load the skipped items" />;
  if (skips.data.results.length === 0) {
    return (
      <p className="hint" data-testid="skips-empty">
        No skipped items. Annotators skip with <kbd>space</kbd>, or with <kbd>Shift</kbd>+<kbd>space</kbd> to say why.
      </p>
    );
  }
  return (
    <div className="stack" data-testid="skips">
      <table className="table table-compact" data-testid="skips-table">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Skipped by</th>
            <th scope="col">Reason</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {skips.data.results.map((skip) => (
            <tr key={skip.id} data-testid="skip-row">
              <th scope="row" className="break-anywhere">
                <Link to={`${paths.projectItems.href(projectId)}/${skip.item}`}>{skip.item_external_id}</Link>
              </th>
              <td>{skip.user}</td>
              <td className="pre-wrap break-anywhere">{skip.reason || <span className="hint">No reason given</span>}</td>
              <td>{skip.skipped_at ? formatDateTime(skip.skipped_at) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} pageSize={SKIPS_PAGE_SIZE} count={skips.data.count} onPageChange={setPage} label="Skip pages" />
    </div>
  );
}
