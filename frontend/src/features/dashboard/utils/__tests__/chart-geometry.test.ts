import { describe, expect, it } from "vitest";

import { acceptanceGeometry, DASHBOARD_CHART_BOX, shortDate, throughputGeometry } from "../chart-geometry";

function day(date: string, acceptance_rate: number | null, accepted = 0, corrected = 0) {
  return { date, accepted, corrected, no_suggestion: 0, acceptance_rate };
}

// The box is 640 × 240 with margins 12 / 20 / 40 / 56: the plot runs from x = 56 to 620 and
// from y = 200 (bottom) to 12 (top).
describe("acceptanceGeometry", () => {
  it("places each day by date and rate, and breaks the line where a day had no proposals", () => {
    const geometry = acceptanceGeometry([
      day("2024-05-03", 0.5),
      day("2024-05-01", 0.25),
      day("2024-05-02", null),
      day("2024-05-05", 1),
    ]);

    expect(geometry.points.map((point) => point.date)).toEqual(["2024-05-01", "2024-05-03", "2024-05-05"]);
    const [first, second, third] = geometry.points;
    expect(first?.x).toBeCloseTo(56);
    expect(second?.x).toBeCloseTo(56 + 564 / 2);
    expect(third?.x).toBeCloseTo(620);
    expect(first?.y).toBeCloseTo(200 - 0.25 * 188);
    expect(third?.y).toBeCloseTo(12);
    // M (first day), then M again after the gap on May 2, then L.
    expect(geometry.path.split(" ").map((part) => part[0])).toEqual(["M", "M", "L"]);
    expect(geometry.yTicks.map((tick) => tick.value)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("has nothing to draw before any proposal was answered", () => {
    const geometry = acceptanceGeometry([day("2024-05-01", null)], DASHBOARD_CHART_BOX);
    expect(geometry.points).toEqual([]);
    expect(geometry.path).toBe("");
  });
});

describe("throughputGeometry", () => {
  it("draws one bar per day, as tall as its count on a round axis", () => {
    const geometry = throughputGeometry([
      { date: "2024-05-01", annotations: 30 },
      { date: "2024-05-02", annotations: 0 },
      { date: "2024-05-03", annotations: 75 },
    ]);
    expect(geometry.yTicks.map((tick) => tick.value)).toEqual([0, 20, 40, 60, 80]);
    const heights = geometry.bars.map((bar) => bar.height);
    expect(heights[0]).toBeCloseTo((30 / 80) * 188);
    expect(heights[1]).toBe(0);
    expect(heights[2]).toBeCloseTo((75 / 80) * 188);
    const [a, b] = geometry.bars;
    expect((b?.x ?? 0) - (a?.x ?? 0)).toBeCloseTo(564 / 3);
  });
});

describe("shortDate", () => {
  it("names a day without time zone surprises", () => {
    expect(shortDate("2024-05-01")).toBe("May 1");
  });
});
