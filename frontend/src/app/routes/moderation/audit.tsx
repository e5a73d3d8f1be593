import { AuditLog } from "@/features/moderation/components/audit/audit-log";

export function ModerationAuditRoute() {
  return <AuditLog />;
}
