// Geometry for the dashboard's two small charts (inline SVG, as the learning curve is drawn):
// acceptance rate per day as a line, annotations per day as bars. Scales and ticks come from the
// app's one chart scale (src/lib/chart-scale.ts); only the date axis is the dashboard's own.
import { type ChartBox, countTicks, linearScale, plotArea, type PlotArea, type Tick } from "@/lib/chart-scale";

import type { AcceptanceDay, ThroughputDay } from "../types";

export const DASHBOARD_CHART_BOX: ChartBox = {
  width: 640,
  height: 240,
  margin: { top: 12, right: 20, bottom: 40, left: 56 },
};

export type DateTick = { date: string; position: number };

const DAY_MS = 86_400_000;

/** Days since the epoch for an ISO date ("2024-05-01"), read as UTC so no time zone shifts it. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** About five dates along the x axis: the first, the last, and evenly spaced ones between. */
function dateTicks(dates: string[], x: (day: number) => number, count = 5): DateTick[] {
  if (dates.length === 0) return [];
  if (dates.length <= count) return dates.map((date) => ({ date, position: x(dayNumber(date)) }));
  const ticks: DateTick[] = [];
  for (let index = 0; index < count; index += 1) {
    const date = dates[Math.round((index * (dates.length - 1)) / (count - 1))];
    if (date !== undefined) ticks.push({ date, position: x(dayNumber(date)) });
  }
  return ticks;
}

export type AcceptancePoint = AcceptanceDay & { acceptance_rate: number; x: number; y: number };

export type AcceptanceGeometry = {
  area: PlotArea;
  points: AcceptancePoint[];
  /** The line; a day without proposals answered breaks it rather than being drawn as 0%. */
  path: string;
  yTicks: Tick[];
  xTicks: DateTick[];
};

/** Acceptance rate (0–100%) per day. */
export function acceptanceGeometry(days: AcceptanceDay[], box: ChartBox = DASHBOARD_CHART_BOX): AcceptanceGeometry {
  const area = plotArea(box);
  const sorted = [...days].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const x = linearScale([first ? dayNumber(first.date) : 0, last ? dayNumber(last.date) : 1], [area.left, area.right]);
  const y = linearScale([0, 1], [area.bottom, area.top]);

  const points: AcceptancePoint[] = [];
  const segments: string[] = [];
  let drawing = false;
  for (const day of sorted) {
    if (day.acceptance_rate === null) {
      drawing = false;
      continue;
    }
    const point = { ...day, acceptance_rate: day.acceptance_rate, x: x(dayNumber(day.date)), y: y(day.acceptance_rate) };
    points.push(point);
    segments.push(`${drawing ? "L" : "M"}${point.x.toFixed(2)},${point.y.toFixed(2)}`);
    drawing = true;
  }
  return {
    area,
    points,
    path: segments.join(" "),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value, position: y(value) })),
    xTicks: dateTicks(
      sorted.map((day) => day.date),
      x,
    ),
  };
}

export type ThroughputBar = ThroughputDay & { x: number; y: number; width: number; height: number };

export type ThroughputGeometry = {
  area: PlotArea;
  bars: ThroughputBar[];
  yTicks: Tick[];
  xTicks: DateTick[];
};

/** Annotations per day, one bar per day between the first and last date. */
export function throughputGeometry(days: ThroughputDay[], box: ChartBox = DASHBOARD_CHART_BOX): ThroughputGeometry {
  const area = plotArea(box);
  const sorted = [...days].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const firstDay = first ? dayNumber(first.date) : 0;
  const span = last ? dayNumber(last.date) - firstDay + 1 : 1;
  const slot = (area.right - area.left) / Math.max(1, span);
  const ticks = countTicks(Math.max(0, ...sorted.map((day) => day.annotations)));
  const y = linearScale([0, ticks[ticks.length - 1] ?? 1], [area.bottom, area.top]);
  const centre = (day: number) => area.left + (day - firstDay + 0.5) * slot;
  const width = Math.max(1, slot * 0.7);

  return {
    area,
    bars: sorted.map((day) => {
      const top = y(day.annotations);
      return { ...day, x: centre(dayNumber(day.date)) - width / 2, y: top, width, height: area.bottom - top };
    }),
    yTicks: ticks.map((value) => ({ value, position: y(value) })),
    xTicks: dateTicks(
      sorted.map((day) => day.date),
      centre,
    ),
  };
}

/** "May 1" for an ISO date, in UTC like the server's days. */
export function shortDate(date: string): string {
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return parsed.toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });
}
