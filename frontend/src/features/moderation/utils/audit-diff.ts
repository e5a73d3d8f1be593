/**
 * An audit event's before / after as a field-level diff people can read, and its one-line summary.
 *
 * Events keep the changed fields' values (`{"automation_level": "assist"}` → `{"automation_level":
 * "partial"}`); a creation has only `after`, a deletion only `before`. Nested objects are flattened
 * into dotted field names (`thresholds.spam`); lists and deeper values are shown as compact JSON.
 */

export type DiffChange = "added" | "removed" | "changed" | "unchanged";

export type DiffRow = {
  field: string;
  /** The value as text; undefined when the field is absent on that side. */
  before: string | undefined;
  after: string | undefined;
  change: DiffChange;
};

const MAX_DEPTH = 3;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as one line of text: strings as they are, `null` as "none", the rest as JSON. */
export function formatAuditValue(value: unknown): string {
  if (value === null) return "none";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (Array.isArray(value) && value.every((entry) => typeof entry === "string" || typeof entry === "number")) {
    return value.length === 0 ? "[]" : value.join(", ");
  }
  return JSON.stringify(value);
}

function flatten(value: unknown, prefix: string, depth: number, into: Map<string, string>): void {
  if (isPlainObject(value) && depth < MAX_DEPTH && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, depth + 1, into);
    }
    return;
  }
  into.set(prefix || "value", formatAuditValue(value));
}

function fields(side: unknown): Map<string, string> {
  const into = new Map<string, string>();
  if (side !== null && side !== undefined) flatten(side, "", 0, into);
  return into;
}

/**
 * One row per field on either side, by field name: PostgreSQL's jsonb keeps keys in an order of
 * its own (shortest first), so the order they were written in is lost anyway.
 */
export function auditDiff(before: unknown, after: unknown): DiffRow[] {
  const old = fields(before);
  const now = fields(after);
  const names = [...new Set([...now.keys(), ...old.keys()])].sort();
  return names.map((field) => {
    const was = old.get(field);
    const is = now.get(field);
    const change: DiffChange =
      was === undefined ? "added" : is === undefined ? "removed" : was === is ? "unchanged" : "changed";
    return { field, before: was, after: is, change };
  });
}

const SUMMARY_VALUE_CHARS = 40;
const SUMMARY_FIELDS = 2;

function short(value: string): string {
  const oneLine = value.replace(/\s+/g, " ");
  return oneLine.length > SUMMARY_VALUE_CHARS ? `${oneLine.slice(0, SUMMARY_VALUE_CHARS - 1)}…` : oneLine;
}

/** "automation_level: assist → partial, +2 more"; for a creation "name: Spam, +3 more". */
export function auditSummary(rows: DiffRow[]): string {
  const shown = rows.filter((row) => row.change !== "unchanged");
  if (shown.length === 0) return "";
  const parts = shown.slice(0, SUMMARY_FIELDS).map((row) => {
    if (row.change === "changed") return `${row.field}: ${short(row.before ?? "")} → ${short(row.after ?? "")}`;
    if (row.change === "removed") return `${row.field}: ${short(row.before ?? "")} removed`;
    return `${row.field}: ${short(row.after ?? "")}`;
  });
  const more = shown.length - SUMMARY_FIELDS;
  return more > 0 ? `${parts.join("; ")}; +${more} more` : parts.join("; ");
}
