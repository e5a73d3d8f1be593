import { describe, expect, it } from "vitest";

import { countTicks, linearScale, niceCeiling, niceStep, niceTicks, plotArea } from "../chart-scale";

describe("chart scales", () => {
  it("maps a domain onto a range, including an inverted one", () => {
    const y = linearScale([0.5, 1], [268, 16]);
    expect(y(0.5)).toBe(268);
    expect(y(1)).toBe(16);
    expect(y(0.75)).toBe(142);
  });

  it("puts every value of a one-value domain in the middle", () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });

  it("rounds steps up to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(80)).toBe(100);
    expect(niceStep(30)).toBe(50);
    expect(niceStep(0.1)).toBe(0.1);
    expect(niceStep(0.13)).toBe(0.2);
  });

  it("makes round ticks without floating-point noise", () => {
    expect(niceTicks(0, 400)).toEqual([0, 100, 200, 300, 400]);
    expect(niceTicks(0.5, 1)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(0.3, 1)).toEqual([0.4, 0.6, 0.8, 1]);
  });

  it("rounds a count axis up to a whole step", () => {
    expect(niceCeiling(370)).toBe(400);
    expect(niceCeiling(50)).toBe(50);
    expect(niceCeiling(0)).toBe(1);
  });

  it("makes whole-number ticks from 0 for a count axis", () => {
    expect(countTicks(0)).toEqual([0, 1]);
    expect(countTicks(3)).toEqual([0, 1, 2, 3]);
    expect(countTicks(75)).toEqual([0, 20, 40, 60, 80]);
    expect(countTicks(950)).toEqual([0, 500, 1000]);
  });

  it("finds the plot area inside a chart's margins", () => {
    const box = { width: 640, height: 240, margin: { top: 12, right: 20, bottom: 40, left: 56 } };
    expect(plotArea(box)).toEqual({ left: 56, right: 620, top: 12, bottom: 200 });
  });
});
