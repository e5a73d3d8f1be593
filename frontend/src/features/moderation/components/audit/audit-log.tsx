import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { formatDateTime } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useAuditEvents } from "../../api/get-audit-events";
import type { AuditFilters } from "../../types";
import "../moderation.css";

/** A `datetime-local` value (local time, no zone) as an ISO instant for the API. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="hint">—</span>;
  // Rendered as text: before/after values may hold user content.
  return <pre className="json-diff">{JSON.stringify(value, null, 1)}</pre>;
}

type Draft = { action: string; object_type: string; actor: string; since: string; until: string };
const EMPTY: Draft = { action: "", object_type: "", actor: "", since: "", until: "" };

/** The append-only audit log, newest first, filterable; nothing here can change it. */
export function AuditLog() {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [filters, setFilters] = useState<AuditFilters>({});
  const [page, setPage] = useState(1);
  const events = useAuditEvents({ filters, page });

  function apply(next: Draft) {
    setFilters({
      action: next.action.trim() || undefined,
      object_type: next.object_type.trim() || undefined,
      actor: next.actor.trim() || undefined,
      since: localToIso(next.since),
      until: localToIso(next.until),
    });
    setPage(1);
  }

  const field = (name: keyof Draft, label: string, type = "text", hint?: string) => (
    <div className="field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        type={type}
        value={draft[name]}
        placeholder={hint}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
        data-testid={`audit-filter-${name}`}
      />
    </div>
  );

  return (
    <div className="stack" data-testid="audit-log">
      <form
        className="filters"
        aria-label="Audit filters"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        {field("action", "Action", "text", "decision.create or decision.")}
        {field("object_type", "Object type", "text", "moderation.content")}
        {field("actor", "Actor (username)")}
        {field("since", "From", "datetime-local")}
        {field("until", "Until", "datetime-local")}
        <div className="filters-actions button-group">
          <button type="submit" className="btn btn-primary" data-testid="audit-apply">
            Filter
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(EMPTY);
              apply(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {events.isPending ? <Loading label="Loading the audit log…" /> : null}
      <ErrorMessage error={events.error} title="Could not load the audit log" />
      {events.data && events.data.results.length === 0 ? (
        <p className="hint" data-testid="audit-empty">
          No events match.
        </p>
      ) : null}
      {events.data && events.data.results.length > 0 ? (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Scope</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {events.data.results.map((event) => (
                <tr key={event.id} data-testid="audit-row" data-action={event.action}>
                  <td className="nowrap">{formatDateTime(event.created_at)}</td>
                  <td>{event.actor_name || <span className="hint">system</span>}</td>
                  <td>
                    <code>{event.action}</code>
                  </td>
                  <td className="break-anywhere">
                    {event.object_type}
                    {event.object_id ? `:${event.object_id}` : ""}
                  </td>
                  <td className="break-anywhere">{event.scope || "—"}</td>
                  <td>
                    <Json value={event.before} />
                  </td>
                  <td>
                    <Json value={event.after} />
                  </td>
                  <td className="hint break-anywhere">{event.request_id || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {events.data && events.data.count > DEFAULT_PAGE_SIZE ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={events.data.count}
          onPageChange={setPage}
          label="Audit pages"
        />
      ) : null}
    </div>
  );
}
