import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { formatCount, formatDateTime, formatDecimal } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { usePolicies } from "../../api/get-policies";
import { useQueue } from "../../api/get-queue";
import type { QueueFilters, ReviewTier } from "../../types";
import { stateLabel, tierLabel } from "../../types";
import { SlaCountdown } from "../shared/sla-countdown";
import { QueueFiltersForm } from "./queue-filters";
import "../moderation.css";

/** The first line of a text, cut to fit a table cell. */
function preview(text: string, max = 120): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export type StartReviewing = (args: { tier: ReviewTier; policy?: number | undefined; category?: number | undefined }) => void;

type ModerationQueueProps = {
  /** Open the review panel; it takes the next item from the queue itself. */
  onStartReviewing: StartReviewing;
};

/** The open content with live SLA countdowns, filters, and the way into the review panel. */
export function ModerationQueue({ onStartReviewing }: ModerationQueueProps) {
  const [filters, setFilters] = useState<QueueFilters>({});
  const [page, setPage] = useState(1);
  const policies = usePolicies();
  const queue = useQueue({ filters, page });

  function changeFilters(next: QueueFilters) {
    setFilters(next);
    setPage(1);
  }

  const start = (tier: ReviewTier) => onStartReviewing({ tier, policy: filters.policy, category: filters.category });

  return (
    <div className="stack" data-testid="moderation-queue">
      <div className="button-group">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => start(filters.tier ?? "standard")}
          data-testid="start-reviewing"
        >
          Start reviewing{filters.tier === "senior" ? " (senior queue)" : ""}
        </button>
        {filters.tier !== "senior" ? (
          <button type="button" className="btn" onClick={() => start("senior")} data-testid="start-senior">
            Senior queue
          </button>
        ) : null}
      </div>
      <QueueFiltersForm policies={policies.data?.results ?? []} filters={filters} onChange={changeFilters} />
      {policies.isError ? <ErrorMessage error={policies.error} title="Could not load the policies" /> : null}
      {queue.isPending ? <Loading label="Loading the queue…" /> : null}
      {queue.isError ? <ErrorMessage error={queue.error} title="Could not load the queue" /> : null}
      {queue.data && queue.data.results.length === 0 ? (
        <p className="hint" data-testid="queue-empty">
          Nothing waiting for review here.
        </p>
      ) : null}
      {queue.data && queue.data.results.length > 0 ? (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="queue-table">
            <thead>
              <tr>
                <th scope="col">Content</th>
                <th scope="col">Policy</th>
                <th scope="col">Category</th>
                <th scope="col">State</th>
                <th scope="col">Tier</th>
                <th scope="col" className="numeric">
                  Priority
                </th>
                <th scope="col" className="numeric" title="Reports from the platform's users">
                  Reports
                </th>
                <th scope="col">SLA</th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.results.map((row) => (
                <tr key={row.id} data-testid="queue-row" data-content-id={row.id}>
                  <th scope="row" className="break-anywhere">
                    {row.text ? preview(row.text) : row.external_id}
                    {row.has_image ? <span className="hint"> (image)</span> : null}
                    {row.hash_match ? <strong className="sla-overdue"> hash match</strong> : null}
                  </th>
                  <td>{row.policy_name}</td>
                  <td>{row.category ?? "—"}</td>
                  <td>{stateLabel(row.state)}</td>
                  <td>{tierLabel(row.tier)}</td>
                  <td className="numeric">{formatDecimal(row.priority, 2)}</td>
                  <td className="numeric" data-testid="queue-report-count">{formatCount(row.user_report_count)}</td>
                  <td data-overdue={row.overdue ? "1" : "0"}>
                    <SlaCountdown dueAt={row.sla_due_at} />
                  </td>
                  <td>{formatDateTime(row.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {queue.data && queue.data.count > DEFAULT_PAGE_SIZE ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={queue.data.count}
          onPageChange={setPage}
          label="Queue pages"
        />
      ) : null}
    </div>
  );
}
