import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { LearningCurvePoint } from "../../types";
import { LearningCurveChart } from "../learning-curve-chart";

function point(overrides: Partial<LearningCurvePoint>): LearningCurvePoint {
  return {
    version: 1,
    label_count: 0,
    roc_auc: null,
    f1_macro: null,
    stage: "archived",
    created_at: "2024-05-01T10:00:00Z",
    ...overrides,
  };
}

const POINTS = [
  // Out of order on purpose: the chart sorts by version.
  point({ version: 3, label_count: 400, roc_auc: 0.95, f1_macro: 0.9 }),
  point({ version: 1, label_count: 100, roc_auc: 0.75, f1_macro: 0.6 }),
  point({ version: 2, label_count: 200, roc_auc: 0.85, f1_macro: 0.8 }),
  // No ROC AUC (say, only one class in the test split): in the table, not on the chart.
  point({ version: 4, label_count: 300, roc_auc: null, f1_macro: 0.7 }),
];

// The default box is 640 × 320 with margins 16 / 24 / 52 / 60 (top, right, bottom, left), so the
// plot runs from x = 60 to 616 and from y = 268 (bottom) to 16 (top). The x axis runs from 0 to
// 400 labels and the y axis from 0.5 to 1.
const plotX = (labels: number) => 60 + (labels / 400) * 556;
const plotY = (auc: number) => 268 - ((auc - 0.5) / 0.5) * 252;

describe("LearningCurveChart", () => {
  it("draws one point per version with a ROC AUC, scaled to the axes", () => {
    render(<LearningCurveChart points={POINTS} />);

    const circles = screen.getAllByTestId("learning-curve-point");
    expect(circles.map((circle) => circle.getAttribute("data-version"))).toEqual(["1", "2", "3"]);
    const expected = [
      [100, 0.75],
      [200, 0.85],
      [400, 0.95],
    ] as const;
    circles.forEach((circle, index) => {
      const [labels, auc] = expected[index] ?? [0, 0];
      expect(Number(circle.getAttribute("cx"))).toBeCloseTo(plotX(labels), 6);
      expect(Number(circle.getAttribute("cy"))).toBeCloseTo(plotY(auc), 6);
    });
    expect(circles[0]).toHaveTextContent("Version 1: ROC AUC 0.750 with 100 labels");
  });

  it("labels both axes with round ticks and describes the curve in words", () => {
    render(<LearningCurveChart points={POINTS} />);

    const chart = screen.getByRole("img", { name: /Learning curve: ROC AUC by number of labels/ });
    expect(chart).toHaveAccessibleName(expect.stringContaining("went from 0.750 with 100 labels (version 1)"));
    expect(chart).toHaveAccessibleName(expect.stringContaining("One more version has no ROC AUC and is not drawn."));

    const xTicks = within(screen.getByTestId("learning-curve-x-axis")).getAllByText(/^\d+$/);
    expect(xTicks.map((tick) => tick.textContent)).toEqual(["0", "100", "200", "300", "400"]);
    const yTicks = within(screen.getByTestId("learning-curve-y-axis")).getAllByText(/^\d\.\d$/);
    expect(yTicks.map((tick) => tick.textContent)).toEqual(["0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]);
    expect(screen.getByText("Labels trained on", { selector: "text" })).toBeInTheDocument();
  });

  it("has the numbers in a table, hidden from sight until asked for", async () => {
    const user = userEvent.setup();
    render(<LearningCurveChart points={POINTS} />);

    const table = screen.getByRole("table", { name: "Learning curve data" });
    expect(table.parentElement).toHaveClass("visually-hidden");
    const rows = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => Array.from(row.children).slice(0, 4).map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["1", "100", "0.750", "0.600"],
      ["2", "200", "0.850", "0.800"],
      ["3", "400", "0.950", "0.900"],
      ["4", "300", "—", "0.700"],
    ]);

    const toggle = screen.getByRole("button", { name: "Show the numbers" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(table.parentElement).not.toHaveClass("visually-hidden");
    expect(screen.getByRole("button", { name: "Hide the numbers" })).toHaveAttribute("aria-expanded", "true");
  });

  it("drops below 0.5 on the y axis only for a model worse than chance", () => {
    render(<LearningCurveChart points={[point({ version: 1, label_count: 20, roc_auc: 0.42 })]} />);

    const yTicks = within(screen.getByTestId("learning-curve-y-axis")).getAllByText(/^\d\.\d$/);
    expect(yTicks[0]).toHaveTextContent("0.4");
    expect(screen.getAllByTestId("learning-curve-point")).toHaveLength(1);
  });

  it("says there is no curve before the first version", () => {
    render(<LearningCurveChart points={[]} />);

    expect(screen.getByTestId("learning-curve")).toHaveTextContent("No model has been trained yet");
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
  });
});
