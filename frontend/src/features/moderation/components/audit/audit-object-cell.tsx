import { Link } from "react-router";

import type { AuditEvent } from "../../types";
import { auditObjectHref, objectTypeLabel } from "../../utils/audit-object-link";

/** An event's object: a link to its page, its name as text when it has no page, or "deleted". */
export function AuditObjectCell({ event }: { event: AuditEvent }) {
  const { object } = event;
  const type = objectTypeLabel(event.object_type);
  const typeAndId = event.object_id ? `${type} ${event.object_id}` : type;
  if (object.state === "unknown") {
    return (
      <span data-testid="audit-object" data-state="unknown">
        {event.object_type}
        {event.object_id ? `:${event.object_id}` : ""}
      </span>
    );
  }
  if (object.state === "deleted") {
    return (
      <span data-testid="audit-object" data-state="deleted">
        {typeAndId} <span className="audit-deleted">deleted</span>
      </span>
    );
  }
  const href = auditObjectHref(object);
  const name = <bdi>{object.label || typeAndId}</bdi>;
  return (
    <span data-testid="audit-object" data-state="present">
      {href ? (
        <Link to={href} data-testid="audit-object-link">
          {name}
        </Link>
      ) : (
        name
      )}{" "}
      <span className="hint">{object.label ? typeAndId : ""}</span>
    </span>
  );
}
