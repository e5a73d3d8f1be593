import { formatDecimal, formatPercent } from "@/lib/format";

import type { Metric } from "../types";

/** "0.912 (0.871–0.943)": a score with its 95 % interval; "—" when there is none. */
export function metricText(metric: Metric | null | undefined, digits = 3): string {
  if (!metric || metric.value === null || metric.value === undefined) return "—";
  const value = formatDecimal(metric.value, digits);
  if (metric.low === null || metric.low === undefined || metric.high === null || metric.high === undefined) {
    return value;
  }
  return `${value} (${formatDecimal(metric.low, digits)}–${formatDecimal(metric.high, digits)})`;
}

/** "12.5% (8.1–18.0%)": a share with its 95 % interval. */
export function shareText(metric: Metric | null | undefined): string {
  if (!metric || metric.value === null || metric.value === undefined) return "—";
  const value = formatPercent(metric.value);
  if (metric.low === null || metric.low === undefined || metric.high === null || metric.high === undefined) {
    return value;
  }
  return `${value} (${(metric.low * 100).toFixed(1)}–${formatPercent(metric.high)})`;
}

/** "+4.2 pts" / "−3.0 pts": a difference of two rates, in percentage points. */
export function gapText(gap: number | null | undefined): string {
  if (gap === null || gap === undefined || !Number.isFinite(gap)) return "—";
  const points = (gap * 100).toFixed(1);
  return `${gap > 0 ? "+" : gap < 0 ? "−" : "±"}${points.replace("-", "")} pts`;
}

/** "+0.034" / "−0.051": a change of a score. */
export function deltaText(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return "—";
  const text = Math.abs(delta).toFixed(3);
  return `${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${text}`;
}

/** A share and its interval apart ("28.2%", "21.1–36.7%"), for cells that show them on two lines. */
export function shareParts(metric: Metric | null | undefined): [string, string] {
  if (!metric || metric.value === null || metric.value === undefined) return ["—", ""];
  if (metric.low === null || metric.low === undefined || metric.high === null || metric.high === undefined) {
    return [formatPercent(metric.value), ""];
  }
  return [formatPercent(metric.value), `${(metric.low * 100).toFixed(1)}–${formatPercent(metric.high)}`];
}
