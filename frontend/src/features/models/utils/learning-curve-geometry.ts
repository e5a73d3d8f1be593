import { type ChartBox, linearScale, niceCeiling, niceTicks, plotArea, type PlotArea, type Tick } from "@/lib/chart-scale";

import type { LearningCurvePoint } from "../types";

export const DEFAULT_CHART_BOX: ChartBox = {
  width: 640,
  height: 320,
  margin: { top: 16, right: 24, bottom: 52, left: 60 },
};

export type PlottedPoint = LearningCurvePoint & { roc_auc: number; x: number; y: number };

export type LearningCurveGeometry = {
  xDomain: [number, number];
  yDomain: [number, number];
  xTicks: Tick[];
  yTicks: Tick[];
  /** Versions with a ROC AUC, in version order, with their position in the chart. */
  plotted: PlottedPoint[];
  /** The line through the plotted points, as an SVG path (empty without points). */
  path: string;
  area: PlotArea;
};

/**
 * Where everything in the learning-curve chart goes.
 *
 * x is the number of labels trained on from 0 to a round number above the largest; y is ROC AUC from
 * 0.5 (a coin toss) to 1, reaching lower only when a model did worse than chance.
 */
export function learningCurveGeometry(
  points: LearningCurvePoint[],
  box: ChartBox = DEFAULT_CHART_BOX,
): LearningCurveGeometry {
  const withAuc = points
    .filter((point): point is LearningCurvePoint & { roc_auc: number } => typeof point.roc_auc === "number")
    .sort((a, b) => a.version - b.version);

  const area = plotArea(box);

  const maxLabels = Math.max(0, ...points.map((point) => point.label_count));
  const xDomain: [number, number] = [0, niceCeiling(maxLabels)];
  const lowestAuc = Math.min(0.5, ...withAuc.map((point) => point.roc_auc));
  // Below 0.5 the axis starts on a multiple of 0.2, the tick step such a range gets.
  const yDomain: [number, number] = [lowestAuc >= 0.5 ? 0.5 : Math.max(0, Math.floor(lowestAuc * 5) / 5), 1];

  const x = linearScale(xDomain, [area.left, area.right]);
  const y = linearScale(yDomain, [area.bottom, area.top]);

  const plotted = withAuc.map((point) => ({ ...point, x: x(point.label_count), y: y(point.roc_auc) }));
  const path = plotted
    .map((point, index) => `${index === 0 ? "M" : "L"}${point.x.toFixed(2)},${point.y.toFixed(2)}`)
    .join(" ");

  return {
    xDomain,
    yDomain,
    xTicks: niceTicks(...xDomain).map((value) => ({ value, position: x(value) })),
    yTicks: niceTicks(...yDomain).map((value) => ({ value, position: y(value) })),
    plotted,
    path,
    area,
  };
}
