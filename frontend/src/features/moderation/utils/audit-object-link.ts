import { paths } from "@/config/paths";

import type { AuditEvent } from "../types";

/** Where the audit page sends a click on an event's object; null when it has no page (or is gone). */
export function auditObjectHref(object: AuditEvent["object"]): string | null {
  if (object.state !== "present") return null;
  const { project_id: project, item_id: item, policy_id: policy, platform_id: platform } = object;
  switch (object.page) {
    case "project":
      return project === null ? null : paths.project.href(project);
    case "item":
      return project === null || item === null ? null : paths.projectItem.href(project, item);
    case "members":
      return project === null ? null : paths.projectMembers.href(project);
    case "models":
      return project === null ? null : paths.projectModels.href(project);
    case "policy":
      return policy === null ? null : paths.moderationPolicy.href(policy);
    case "platform":
      return platform === null ? null : paths.platform.href(platform);
    case "users":
      return paths.users.href();
    default:
      return null;
  }
}

/** "moderation.policy" → "policy": the model name people know, without the app. */
export function objectTypeLabel(objectType: string): string {
  const name = objectType.includes(".") ? objectType.slice(objectType.lastIndexOf(".") + 1) : objectType;
  return name.replace(/_/g, " ");
}
