import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { SliceDeltas } from "../evaluation/slice-deltas";

describe("SliceDeltas", () => {
  it("flags a slice the newer version hurts while it helps overall", () => {
    render(
      <SliceDeltas
        older={1}
        newer={2}
        slices={{
          f1_macro_delta: 0.03,
          fields: [
            {
              field: "cohort",
              values: [
                { value: "a", support: 40, f1_macro_before: 0.8, f1_macro_after: 0.9, f1_macro_delta: 0.1, accuracy_delta: 0.05, regression: false },
                { value: "b", support: 40, f1_macro_before: 0.8, f1_macro_after: 0.7, f1_macro_delta: -0.1, accuracy_delta: -0.05, regression: true },
              ],
            },
          ],
          regressions: [{ field: "cohort", value: "b", f1_macro_delta: -0.1 }],
        }}
      />,
    );

    expect(screen.getByTestId("slice-regressions")).toHaveTextContent(
      "Version 2 does better overall (macro F1 +0.030) but worse on cohort = b (−0.100).",
    );
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map((row) => row.className)).toEqual(["", "slice-regression"]);
    expect(rows[1]).toHaveTextContent("bHurt400.8000.700−0.100");
  });
});
