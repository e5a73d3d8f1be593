import { describe, expect, it } from "vitest";

import { driftWindow } from "../../testing/fixtures";
import { DRIFT_CHART_BOX, driftGeometry } from "../drift-geometry";

// The box is 560 × 220 with margins 14 / 20 / 44 / 56 (top, right, bottom, left): the plot runs from
// x = 56 to 540 and from y = 176 (bottom) to 14 (top).
const WINDOWS = [
  driftWindow({ id: 1, number: 1, domain_auc: 0.5 }),
  driftWindow({ id: 2, number: 2, domain_auc: null }),
  driftWindow({ id: 3, number: 3, domain_auc: 1.0, alarms: ["domain_auc"] }),
];

describe("driftGeometry", () => {
  it("puts windows on x by number and the AUC on y from 0.5 to 1", () => {
    const geometry = driftGeometry(WINDOWS, "domain_auc", 0.65, DRIFT_CHART_BOX);

    expect(geometry.yDomain).toEqual([0.5, 1]);
    expect(geometry.points.map((p) => [p.number, p.x, p.y])).toEqual([
      [1, 56, 176],
      [3, 540, 14],
    ]);
    // 0.65 is 30 % of the way from 0.5 to 1: 176 - 0.3 × 162.
    expect(geometry.thresholdY).toBeCloseTo(176 - 0.3 * 162, 6);
  });

  it("breaks the line at a window without a value and marks alarms", () => {
    const geometry = driftGeometry(WINDOWS, "domain_auc", 0.65);

    expect(geometry.path).toBe("M56.00,176.00 M540.00,14.00");
    expect(geometry.points.map((p) => p.alarm)).toEqual([false, true]);
    expect(geometry.alarmBands.map((band) => band.number)).toEqual([3]);
  });

  it("reads PSI from 0 to above both the threshold and the largest value", () => {
    const windows = [driftWindow({ number: 1, score_psi: 0.05 }), driftWindow({ number: 2, id: 2, score_psi: 1.7 })];
    expect(driftGeometry(windows, "score_psi", 0.25).yDomain).toEqual([0, 2]);
    expect(driftGeometry(windows.slice(0, 1), "score_psi", 0.25).yDomain[1]).toBeGreaterThanOrEqual(0.375);
  });
});

describe("alarm bands", () => {
  it("stay inside the plot area at its edges", () => {
    const geometry = driftGeometry(WINDOWS, "domain_auc", 0.65);
    const [band] = geometry.alarmBands;
    expect(band?.x).toBeGreaterThanOrEqual(56);
    expect((band?.x ?? 0) + (band?.width ?? 0)).toBeLessThanOrEqual(540);
  });
});
