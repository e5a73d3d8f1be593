import type { components } from "@/types/api";

export type Member = components["schemas"]["MemberOutput"];
export type Role = components["schemas"]["RoleEnum"];
export type MemberCreateInput = components["schemas"]["MemberCreateInputRequest"];

export const ROLES: { value: Role; label: string; description: string }[] = [
  { value: "admin", label: "Admin", description: "manages the project, its members and data" },
  { value: "ml_engineer", label: "ML engineer", description: "imports, exports and trains models" },
  { value: "annotator", label: "Annotator", description: "labels items" },
  { value: "moderator", label: "Moderator", description: "reviews flagged content" },
  { value: "senior_moderator", label: "Senior moderator", description: "decides escalations and appeals" },
];
