const integer = new Intl.NumberFormat("en");

export function formatCount(value: number | null | undefined): string {
  return integer.format(value ?? 0);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** A score such as ROC AUC or F1 with a fixed number of decimals; "—" when there is none. */
export function formatDecimal(value: number | null | undefined, digits = 3): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "—";
}

/** A share from 0 to 1 as a percentage, e.g. 0.953 → "95.3%"; "—" when there is none. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  return typeof value === "number" && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : "—";
}
