import { useState } from "react";

import { EMPTY_AUDIT_QUERY, type AuditQuery } from "../../utils/audit-query";

type Draft = Pick<AuditQuery, "action" | "actor" | "object_type" | "object_id" | "from" | "to">;

const FIELDS: { name: keyof Draft; label: string; type: string; hint?: string; className: string }[] = [
  { name: "action", label: "Action", type: "text", hint: "decision. or policy.update", className: "audit-field-action" },
  { name: "actor", label: "Actor", type: "text", hint: "username", className: "audit-field-actor" },
  { name: "object_type", label: "Object type", type: "text", hint: "moderation.policy", className: "audit-field-type" },
  { name: "object_id", label: "Object id", type: "text", className: "audit-field-id" },
  { name: "from", label: "From", type: "date", className: "audit-field-date" },
  { name: "to", label: "To", type: "date", className: "audit-field-date" },
];

/**
 * The audit log's filters. Typing changes a draft; Filter (or Enter) applies it. The request-id
 * filter comes from an event's "this request" button and shows as a chip that can be removed.
 */
export function AuditFiltersForm({ query, onApply }: { query: AuditQuery; onApply: (query: AuditQuery) => void }) {
  const [draft, setDraft] = useState<Draft>(query);

  return (
    <form
      className="filters audit-filters"
      aria-label="Audit filters"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ ...query, ...draft, page: 1 });
      }}
    >
      {FIELDS.map(({ name, label, type, hint, className }) => (
        <div className={`field ${className}`} key={name}>
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
      ))}
      <div className="filters-actions button-group">
        <button type="submit" className="btn btn-primary" data-testid="audit-apply">
          Filter
        </button>
        <button type="button" className="btn" onClick={() => onApply(EMPTY_AUDIT_QUERY)} data-testid="audit-clear">
          Clear
        </button>
      </div>
      {query.request_id ? (
        <p className="audit-chip" data-testid="audit-filter-request">
          Request <bdi>{query.request_id}</bdi>{" "}
          <button
            type="button"
            className="btn btn-small"
            aria-label="Show every request"
            onClick={() => onApply({ ...query, ...draft, request_id: "", page: 1 })}
          >
            ×
          </button>
        </p>
      ) : null}
    </form>
  );
}
