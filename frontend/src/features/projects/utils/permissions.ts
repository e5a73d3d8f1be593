// Mirrors the backend's role sets (labeling/choices.py). The server enforces them; the UI only
// uses them to hide controls a role cannot use. A superuser's role is reported as "admin".
const MANAGE_ROLES = new Set(["admin"]);
const DATA_ROLES = new Set(["admin", "ml_engineer"]);

export function canManageProject(role: string | null | undefined): boolean {
  return role !== null && role !== undefined && MANAGE_ROLES.has(role);
}

export function canManageData(role: string | null | undefined): boolean {
  return role !== null && role !== undefined && DATA_ROLES.has(role);
}
