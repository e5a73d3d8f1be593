import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { formatCount } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { auditExportUrl } from "../../api/export-audit-events";
import { useAuditEvents } from "../../api/get-audit-events";
import { type AuditQuery, auditFiltersOf, auditQueryToParams } from "../../utils/audit-query";
import { AuditEventRow } from "./audit-event-row";
import { AuditFiltersForm } from "./audit-filters";
import "./audit-log.css";

type AuditLogProps = { query: AuditQuery; onQueryChange: (query: AuditQuery) => void };

/**
 * The append-only audit log, newest first: one event per line, its changes on expand, its object
 * a link to the object's page. Filters live in the address bar (the route owns them); the filtered
 * log downloads as CSV or JSON Lines. Nothing here can change the log.
 */
export function AuditLog({ query, onQueryChange }: AuditLogProps) {
  const filters = auditFiltersOf(query);
  const events = useAuditEvents({ filters, page: query.page });
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());

  function toggle(id: number) {
    setExpanded((open) => {
      const next = new Set(open);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const count = events.data?.count ?? 0;
  const rows = events.data?.results ?? [];
  return (
    <div className="stack audit-log" data-testid="audit-log">
      {/* Keyed by the applied filters: a new address (back, a narrowing button) resets the draft. */}
      <AuditFiltersForm key={auditQueryToParams(query).toString()} query={query} onApply={onQueryChange} />
      <div className="audit-toolbar">
        <p className="audit-count" data-testid="audit-count">
          {events.data ? `${formatCount(count)} ${count === 1 ? "event" : "events"}` : ""}
        </p>
        {count > DEFAULT_PAGE_SIZE ? (
          <Pagination
            page={query.page}
            pageSize={DEFAULT_PAGE_SIZE}
            count={count}
            onPageChange={(page) => onQueryChange({ ...query, page })}
            label="Audit pages"
          />
        ) : null}
        <p className="audit-export">
          Download these events:{" "}
          <a href={auditExportUrl({ filters, format: "csv" })} download data-testid="audit-export-csv">
            CSV
          </a>{" "}
          ·{" "}
          <a href={auditExportUrl({ filters, format: "jsonl" })} download data-testid="audit-export-jsonl">
            JSON Lines
          </a>
        </p>
      </div>
      {events.isPending ? <Loading label="Loading the audit log…" /> : null}
      <ErrorMessage error={events.error} title="Could not load the audit log" />
      {events.data && rows.length === 0 ? (
        <p className="hint" data-testid="audit-empty">
          {Object.values(filters).some(Boolean)
            ? "No events match these filters. Widen the dates or clear a filter to see more."
            : "Nothing recorded yet. Changes to policies, decisions, appeals, members and settings appear here as they happen."}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <table className="table table-compact audit-table" data-testid="audit-table">
          <colgroup>
            <col className="audit-col-toggle" />
            <col className="audit-col-time" />
            <col className="audit-col-actor" />
            <col className="audit-col-action" />
            <col className="audit-col-object" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Changes</span>
              </th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((event) => (
              <AuditEventRow
                key={event.id}
                event={event}
                expanded={expanded.has(event.id)}
                onToggle={() => toggle(event.id)}
                onNarrow={(narrow) => onQueryChange({ ...query, ...narrow, page: 1 })}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
