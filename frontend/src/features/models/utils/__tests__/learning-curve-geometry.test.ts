import { describe, expect, it } from "vitest";

import type { LearningCurvePoint } from "../../types";
import { DEFAULT_CHART_BOX, learningCurveGeometry } from "../learning-curve-geometry";

function point(version: number, label_count: number, roc_auc: number | null): LearningCurvePoint {
  return { version, label_count, roc_auc, f1_macro: null, stage: "archived", created_at: "2024-05-01T10:00:00Z" };
}

// The box is 640 × 320 with margins 16 / 24 / 52 / 60: the plot runs from x = 60 to 616 and
// from y = 268 (bottom) to 16 (top).
describe("learningCurveGeometry", () => {
  it("runs x from 0 to a round label count and y from a coin toss to 1", () => {
    const geometry = learningCurveGeometry([point(2, 370, 0.9), point(1, 100, 0.75)], DEFAULT_CHART_BOX);

    expect(geometry.area).toEqual({ left: 60, right: 616, top: 16, bottom: 268 });
    expect(geometry.xDomain).toEqual([0, 400]);
    expect(geometry.yDomain).toEqual([0.5, 1]);
    expect(geometry.xTicks.map((tick) => tick.value)).toEqual([0, 100, 200, 300, 400]);
    expect(geometry.plotted.map((plotted) => plotted.version)).toEqual([1, 2]);
    const [first] = geometry.plotted;
    expect(first?.x).toBeCloseTo(60 + (100 / 400) * 556);
    expect(first?.y).toBeCloseTo(142);
    expect(geometry.path.startsWith("M")).toBe(true);
  });

  it("reaches below 0.5 only for a model worse than chance, and leaves out versions without a ROC AUC", () => {
    const geometry = learningCurveGeometry([point(1, 50, 0.3), point(2, 80, null)]);

    expect(geometry.yDomain).toEqual([0.2, 1]);
    expect(geometry.plotted.map((plotted) => plotted.version)).toEqual([1]);
    expect(geometry.xDomain).toEqual([0, 80]);
  });
});
