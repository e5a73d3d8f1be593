import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { AutoLabelEstimate as Estimate } from "../../types";
import { AutoLabelEstimate } from "../auto-label-estimate";

function estimate(overrides: Partial<Estimate> = {}): Estimate {
  return {
    enabled: true,
    target_precision: 0.95,
    audit_rate: 0.05,
    threshold: null,
    precision: null,
    ci_low: null,
    ci_high: null,
    n_above: null,
    n_audit: null,
    model_version: null,
    message: "",
    created_at: null,
    counts: { auto_labeled: 0, audit_items: 70, audit_labeled: 0, unlabeled: 1400 },
    ...overrides,
  };
}

describe("AutoLabelEstimate", () => {
  it("shows the threshold, the precision with its interval, and the counts", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        estimate({
          threshold: 0.912,
          precision: 0.981,
          ci_low: 0.953,
          ci_high: 0.995,
          n_above: 104,
          n_audit: 140,
          model_version: 4,
          created_at: "2024-05-01T10:00:00Z",
          counts: { auto_labeled: 812, audit_items: 140, audit_labeled: 140, unlabeled: 420 },
        }),
      ),
    );
    renderWithProviders(<AutoLabelEstimate projectId={1} />);

    expect(await screen.findByTestId("auto-label-threshold")).toHaveTextContent("0.912");
    expect(screen.getByTestId("auto-label-precision")).toHaveTextContent("98.1%");
    expect(screen.getByTestId("auto-label-interval")).toHaveTextContent("95.3% – 99.5%");
    expect(screen.getByText("Labeled automatically").nextSibling).toHaveTextContent("812");
    expect(screen.getByTestId("auto-label-estimate")).toHaveTextContent("with version 4");
  });

  it("says there is no estimate yet, and why when the server says", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(estimate({ message: "No audited item has a human label yet." })),
    );
    renderWithProviders(<AutoLabelEstimate projectId={1} />);

    expect(await screen.findByTestId("auto-label-none")).toBeInTheDocument();
    expect(screen.getByText("No audited item has a human label yet.")).toBeInTheDocument();
    expect(screen.queryByTestId("auto-label-threshold")).not.toBeInTheDocument();
  });
});
