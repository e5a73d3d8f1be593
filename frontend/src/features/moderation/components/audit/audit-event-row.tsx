import type { AuditEvent } from "../../types";
import { auditDiff, auditSummary } from "../../utils/audit-diff";
import type { AuditQuery } from "../../utils/audit-query";
import { formatAuditTime } from "../../utils/audit-query";
import { AuditDiffTable } from "./audit-diff-table";
import { AuditObjectCell } from "./audit-object-cell";

export const AUDIT_COLUMNS = 6;

type NarrowTo = Partial<Pick<AuditQuery, "actor" | "object_type" | "object_id" | "request_id">>;

type RowProps = {
  event: AuditEvent;
  expanded: boolean;
  onToggle: () => void;
  onNarrow: (filters: NarrowTo) => void;
};

/** One event on one line (time, actor, action, object, summary); its field diff on expand. */
export function AuditEventRow({ event, expanded, onToggle, onNarrow }: RowProps) {
  const rows = auditDiff(event.before, event.after);
  const summary = auditSummary(rows);
  const detailId = `audit-detail-${event.id}`;
  const actor = event.actor_name || "system";
  return (
    <>
      <tr data-testid="audit-row" data-action={event.action} className={expanded ? "audit-open" : undefined}>
        <td className="audit-toggle">
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={expanded}
            aria-controls={detailId}
            aria-label={`${expanded ? "Hide" : "Show"} the changes of event ${event.id}`}
            onClick={onToggle}
            data-testid="audit-expand"
          >
            {expanded ? "▾" : "▸"}
          </button>
        </td>
        <td>
          <time dateTime={event.created_at} title={event.created_at}>
            {formatAuditTime(event.created_at)}
          </time>
        </td>
        <td title={actor} className={event.actor_name ? undefined : "hint"}>
          <bdi>{actor}</bdi>
        </td>
        <td title={event.action}>
          <code>{event.action}</code>
        </td>
        <td>
          <AuditObjectCell event={event} />
        </td>
        <td title={summary} data-testid="audit-summary">
          {summary || <span className="hint">—</span>}
        </td>
      </tr>
      {expanded ? (
        <tr id={detailId} className="audit-detail" data-testid="audit-detail">
          <td colSpan={AUDIT_COLUMNS}>
            <AuditDiffTable rows={rows} />
            <dl className="audit-facts">
              <div>
                <dt>Object</dt>
                <dd>
                  <code>
                    {event.object_type}
                    {event.object_id ? `:${event.object_id}` : ""}
                  </code>
                </dd>
              </div>
              <div>
                <dt>Scope</dt>
                <dd>{event.scope ? <code>{event.scope}</code> : "site-wide"}</dd>
              </div>
              <div>
                <dt>Request</dt>
                <dd>{event.request_id ? <code>{event.request_id}</code> : "—"}</dd>
              </div>
              <div>
                <dt>Time (UTC)</dt>
                <dd>{event.created_at}</dd>
              </div>
            </dl>
            <div className="button-group audit-narrow">
              {event.object_id ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onNarrow({ object_type: event.object_type, object_id: event.object_id })}
                >
                  Every event of this object
                </button>
              ) : null}
              {event.request_id ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onNarrow({ request_id: event.request_id })}
                  data-testid="audit-narrow-request"
                >
                  Everything this request did
                </button>
              ) : null}
              {event.actor_name ? (
                <button type="button" className="btn btn-small" onClick={() => onNarrow({ actor: event.actor_name })}>
                  Every event by <bdi>{event.actor_name}</bdi>
                </button>
              ) : null}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
