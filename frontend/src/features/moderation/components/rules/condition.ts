/** Rule conditions as the editor builds them: rows of one signal each, joined by all / any. */

export type Combine = "all" | "any";

export type SignalName =
  | "score"
  | "bank"
  | "hash_match"
  | "reports"
  | "report_reason"
  | "author_strikes"
  | "account_age_days"
  | "text_length"
  | "language"
  | "metadata";

export type ConditionRow = {
  signal: SignalName;
  negate: boolean;
  category: string;
  model: "production" | "shadow";
  bank: string;
  field: string;
  op: string;
  value: string;
};

export const SIGNALS: { value: SignalName; label: string }[] = [
  { value: "score", label: "Model score of a category" },
  { value: "bank", label: "Text hits a text bank" },
  { value: "hash_match", label: "Hash-bank match" },
  { value: "reports", label: "Distinct user reports" },
  { value: "report_reason", label: "A report gives the reason" },
  { value: "author_strikes", label: "Author's strike points" },
  { value: "account_age_days", label: "Author's account age (days)" },
  { value: "text_length", label: "Text length (characters)" },
  { value: "language", label: "Language" },
  { value: "metadata", label: "Context field" },
];

export const NUMBER_OPS = [">=", ">", "<=", "<", "==", "!="];
export const LANGUAGE_OPS = ["==", "!=", "in", "not_in"];
export const METADATA_OPS = ["==", "!=", "in", "not_in", "contains", "exists", ">=", ">", "<=", "<"];

const NUMERIC_SIGNALS = new Set<SignalName>(["score", "reports", "author_strikes", "account_age_days", "text_length"]);

export function opsFor(signal: SignalName): string[] {
  if (NUMERIC_SIGNALS.has(signal)) return NUMBER_OPS;
  if (signal === "language") return LANGUAGE_OPS;
  if (signal === "metadata") return METADATA_OPS;
  return [];
}

export function emptyRow(signal: SignalName = "score"): ConditionRow {
  return {
    signal,
    negate: false,
    category: "",
    model: "production",
    bank: "",
    field: "",
    op: opsFor(signal)[0] ?? "",
    value: "",
  };
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

function numberOrText(value: string): number | string {
  const trimmed = value.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** One row as the server's JSON (``moderation.ruleset.conditions``). */
export function leafOf(row: ConditionRow): Record<string, unknown> {
  const { signal } = row;
  if (signal === "score") {
    return { signal, category: row.category, model: row.model, op: row.op, value: Number(row.value) };
  }
  if (signal === "bank") return { signal, bank: row.bank };
  if (signal === "hash_match") return { signal };
  if (signal === "report_reason") return { signal, op: "includes", value: row.value.trim() };
  if (signal === "language") {
    const value = row.op === "in" || row.op === "not_in" ? list(row.value) : row.value.trim();
    return { signal, op: row.op, value };
  }
  if (signal === "metadata") {
    if (row.op === "exists") return { signal, field: row.field.trim(), op: "exists" };
    if (row.op === "in" || row.op === "not_in") return { signal, field: row.field.trim(), op: row.op, value: list(row.value) };
    const numeric = [">", ">=", "<", "<="].includes(row.op);
    return {
      signal,
      field: row.field.trim(),
      op: row.op,
      value: numeric ? Number(row.value) : row.value.trim(),
    };
  }
  return { signal, op: row.op, value: Number(row.value) };
}

/** The rows joined by ``combine``, each negated when asked. */
export function conditionOf(combine: Combine, rows: ConditionRow[]): Record<string, unknown> {
  const parts = rows.map((row) => (row.negate ? { not: leafOf(row) } : leafOf(row)));
  return { [combine]: parts };
}

/** Plain words for a condition (the rules table shows it; nested parts are summarised). */
export function describeCondition(condition: unknown): string {
  if (!condition || typeof condition !== "object") return "—";
  const node = condition as Record<string, unknown>;
  if (Array.isArray(node.all)) return node.all.map(describeCondition).join(" and ") || "always";
  if (Array.isArray(node.any)) return `(${node.any.map(describeCondition).join(" or ")})`;
  if (node.not !== undefined) return `not ${describeCondition(node.not)}`;
  const signal = String(node.signal ?? "?");
  if (signal === "bank") return `text hits bank “${String(node.bank)}”`;
  if (signal === "hash_match") return "hash-bank match";
  if (signal === "score") {
    const shadow = node.model === "shadow" ? " (shadow)" : "";
    return `score of ${String(node.category)}${shadow} ${String(node.op)} ${numberOrText(String(node.value))}`;
  }
  if (signal === "metadata") {
    return node.op === "exists"
      ? `${String(node.field)} is set`
      : `${String(node.field)} ${String(node.op)} ${JSON.stringify(node.value)}`;
  }
  if (signal === "report_reason") return `a report gives “${String(node.value)}”`;
  return `${signal.replaceAll("_", " ")} ${String(node.op)} ${JSON.stringify(node.value)}`;
}
