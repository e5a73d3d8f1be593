// Mirrors labeling.choices.LABEL_ROLES; the server enforces it, the UI only hides the way in.
const LABEL_ROLES = new Set(["admin", "ml_engineer", "annotator"]);

/** Whether a project role may work through the annotation queue. */
export function canAnnotate(role: string | null | undefined): boolean {
  return role !== null && role !== undefined && LABEL_ROLES.has(role);
}
