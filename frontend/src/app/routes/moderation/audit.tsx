import { useSearchParams } from "react-router";

import { AuditLog } from "@/features/moderation/components/audit/audit-log";
import {
  auditQueryFromParams,
  auditQueryToParams,
} from "@/features/moderation/utils/audit-query";

/** The audit log; its filters and page are the address's query, so a filtered view can be shared. */
export function ModerationAuditRoute() {
  const [params, setParams] = useSearchParams();
  return (
    <AuditLog
      query={auditQueryFromParams(params)}
      onQueryChange={(query) => setParams(auditQueryToParams(query))}
    />
  );
}
