import type { PrCurve, ReliabilityBin } from "../types";

/** A square unit chart: values 0..1 on both axes, drawn in `size` SVG units with `margin`. */
export type UnitChart = { size: number; margin: number };

export const UNIT_CHART: UnitChart = { size: 300, margin: 36 };

export function unitX(value: number, chart: UnitChart = UNIT_CHART): number {
  return chart.margin + value * (chart.size - 2 * chart.margin);
}

export function unitY(value: number, chart: UnitChart = UNIT_CHART): number {
  return chart.size - chart.margin - value * (chart.size - 2 * chart.margin);
}

/** One bar per non-empty reliability bin: the bin's width, the share right as its height. */
export function reliabilityBars(bins: ReliabilityBin[], chart: UnitChart = UNIT_CHART) {
  return bins
    .filter((bin) => bin.count > 0 && bin.accuracy.value !== null && bin.accuracy.value !== undefined)
    .map((bin) => {
      const accuracy = bin.accuracy.value ?? 0;
      const x = unitX(bin.lower, chart);
      const top = unitY(accuracy, chart);
      return {
        key: `${bin.lower}`,
        x,
        width: unitX(bin.upper, chart) - x,
        y: top,
        height: unitY(0, chart) - top,
        // The mean confidence of the bin's items: on the diagonal when calibrated.
        dotX: unitX(bin.confidence ?? (bin.lower + bin.upper) / 2, chart),
        dotY: top,
        bin,
      };
    });
}

/** The SVG path of a precision-recall curve (recall on x, precision on y). */
export function prPath(curve: PrCurve, chart: UnitChart = UNIT_CHART): string {
  return curve.points
    .map(([recall, precision], index) => `${index === 0 ? "M" : "L"}${unitX(recall ?? 0, chart).toFixed(1)},${unitY(precision ?? 0, chart).toFixed(1)}`)
    .join(" ");
}
