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

/** A rough duration for people, e.g. 42 → "under a minute", 200 → "about 3 min", 7500 → "about 2 h 5 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return "under a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `about ${hours} h ${rest} min` : `about ${hours} h`;
}
