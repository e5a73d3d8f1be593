// The one scale every chart in the app is drawn with (inline SVG, no chart library): the box a
// chart sits in and its plot area, a linear scale from values to pixels, and "nice" tick values
// (1, 2 or 5 times a power of ten), so axes read 0, 100, 200 rather than 0, 87, 174.
// Each feature's geometry module (learning curve, dashboard charts) builds on these.

/** A chart's size in SVG units and the margins around its plot area (for axes and titles). */
export type ChartBox = {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
};

/** The edges of the plot area inside a chart box; y grows downwards, so `top` < `bottom`. */
export type PlotArea = { left: number; right: number; top: number; bottom: number };

/** A tick on an axis: its value and where it is drawn. */
export type Tick = { value: number; position: number };

export type Scale = (value: number) => number;

export function plotArea(box: ChartBox): PlotArea {
  return {
    left: box.margin.left,
    right: box.width - box.margin.right,
    top: box.margin.top,
    bottom: box.height - box.margin.bottom,
  };
}

/** Map `domain` onto `range` linearly; a domain of one value maps to the middle of the range. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  if (d0 === d1) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** The smallest step of 1, 2 or 5 × 10^k that is at least `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Decimal places a step needs so 0.1 + 0.2 is printed and compared as 0.3. */
function decimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step)));
}

/** Tick values from `min` to `max` (both inclusive when they fall on a step), about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (max < min) return [];
  if (max === min) return [min];
  const step = niceStep((max - min) / count);
  const places = decimals(step);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let index = first; index <= last; index += 1) {
    ticks.push(Number((index * step).toFixed(places)));
  }
  return ticks;
}

/** An upper bound for a count axis starting at 0: `max` rounded up to a whole tick step. */
export function niceCeiling(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const step = niceStep(max / count);
  return Math.ceil(max / step - 1e-9) * step;
}

/**
 * Whole-number ticks from 0 for counting things (at most about `count` intervals): the step is
 * a nice one of at least 1, and the last tick is `max` rounded up to a whole step.
 */
export function countTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const step = Math.max(1, niceStep(max / count));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let value = 0; value <= top + 1e-9; value += step) ticks.push(Math.round(value));
  return ticks;
}
