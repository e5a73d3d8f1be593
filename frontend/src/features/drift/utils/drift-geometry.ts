import { type ChartBox, linearScale, niceCeiling, niceTicks, plotArea, type PlotArea, type Tick } from "@/lib/chart-scale";

import type { DriftMeasure, DriftWindow } from "../types";

export const DRIFT_CHART_BOX: ChartBox = {
  width: 560,
  height: 220,
  margin: { top: 14, right: 20, bottom: 44, left: 56 },
};

export type DriftPoint = {
  number: number;
  value: number;
  x: number;
  y: number;
  /** This measure crossed its threshold in this window. */
  alarm: boolean;
  window: DriftWindow;
};

export type DriftGeometry = {
  area: PlotArea;
  xDomain: [number, number];
  yDomain: [number, number];
  xTicks: Tick[];
  yTicks: Tick[];
  points: DriftPoint[];
  /** The line through the measured windows; a window without a value breaks it. */
  path: string;
  /** Where the threshold line is drawn (null: no threshold). */
  thresholdY: number | null;
  /** Windows in which any measure alarmed: a band behind the chart. */
  alarmBands: { number: number; x: number; width: number }[];
};

/** The y axis a measure is read on: AUC from 0.5 (no drift), shares from 0 to 1, PSI from 0 up. */
function yDomainOf(measure: DriftMeasure, values: number[], threshold: number | null): [number, number] {
  if (measure === "domain_auc") {
    const low = Math.min(0.5, ...values);
    return [low >= 0.5 ? 0.5 : Math.max(0, Math.floor(low * 10) / 10), 1];
  }
  if (measure === "overturn_share") return [0, 1];
  const top = Math.max(threshold === null ? 0 : threshold * 1.5, ...values, 0.1);
  return [0, niceCeiling(top)];
}

/**
 * Where everything in one measure's chart goes: x is the window number (windows follow each
 * other without gaps; each closed after a day or at its item limit), y the measure.
 */
export function driftGeometry(
  windows: DriftWindow[],
  measure: DriftMeasure,
  threshold: number | null,
  box: ChartBox = DRIFT_CHART_BOX,
): DriftGeometry {
  const area = plotArea(box);
  const numbers = windows.map((window) => window.number);
  const first = Math.min(...numbers, 1);
  const last = Math.max(...numbers, first + 1);
  const xDomain: [number, number] = [first, last];
  const measured = windows.filter((window) => typeof window[measure] === "number");
  const values = measured.map((window) => window[measure] as number);
  const yDomain = yDomainOf(measure, values, threshold);
  const x = linearScale(xDomain, [area.left, area.right]);
  const y = linearScale(yDomain, [area.bottom, area.top]);
  const clampY = (value: number) => y(Math.min(Math.max(value, yDomain[0]), yDomain[1]));

  const points = measured.map((window) => ({
    number: window.number,
    value: window[measure] as number,
    x: x(window.number),
    y: clampY(window[measure] as number),
    alarm: window.alarms.includes(measure),
    window,
  }));
  let path = "";
  let previous: number | null = null;
  for (const window of [...windows].sort((a, b) => a.number - b.number)) {
    const value = window[measure];
    if (typeof value !== "number") {
      previous = null;
      continue;
    }
    const command = previous === null ? "M" : "L";
    path += `${path ? " " : ""}${command}${x(window.number).toFixed(2)},${clampY(value).toFixed(2)}`;
    previous = window.number;
  }
  const step = windows.length > 1 ? (area.right - area.left) / Math.max(1, last - first) : 12;
  const width = Math.max(4, Math.min(step, 24));
  const xTickValues = niceTicks(first, last, 6).filter((value) => Number.isInteger(value) && value >= first);
  return {
    area,
    xDomain,
    yDomain,
    xTicks: xTickValues.map((value) => ({ value, position: x(value) })),
    yTicks: niceTicks(...yDomain, 4).map((value) => ({ value, position: y(value) })),
    points,
    path,
    thresholdY: threshold === null ? null : clampY(threshold),
    alarmBands: windows
      .filter((window) => window.alarms.length > 0)
      .map((window) => {
        // Kept inside the plot: the first and last windows sit on its edges.
        const left = Math.max(area.left, x(window.number) - width / 2);
        const right = Math.min(area.right, x(window.number) + width / 2);
        return { number: window.number, x: left, width: right - left };
      }),
  };
}
