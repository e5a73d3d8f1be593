import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { evaluationReport, m, versionEvaluation } from "../../testing/evaluation-fixtures";
import { trainingJob } from "../../testing/fixtures";
import { VersionEvaluation } from "../evaluation/version-evaluation";

describe("VersionEvaluation", () => {
  it("shows the reliability diagram with ECE and Brier intervals, PR curves and per-class intervals", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(versionEvaluation()));
    renderWithProviders(<VersionEvaluation projectId={3} versionId={11} versionNumber={1} />);

    const diagram = await screen.findByTestId("reliability-diagram");
    expect(within(diagram).getByTestId("calibration-summary")).toHaveTextContent(
      "ECE 0.045 (0.020–0.080), Brier score 0.081 (0.050–0.120).",
    );
    // One bar per non-empty bin.
    expect(diagram.querySelectorAll("rect.reliability-bar")).toHaveLength(2);
    expect(screen.getByTestId("pr-curves").querySelectorAll("path.pr-line")).toHaveLength(2);
    expect(screen.getByTestId("pr-curves")).toHaveTextContent("spam: AP 0.910");
    const table = screen.getByTestId("per-class-table");
    expect(within(table).getByRole("row", { name: /spam/ })).toHaveTextContent("0.889 (0.670–0.970)");
  });

  it("highlights the worst slice and shows the false-negative gap in points", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(versionEvaluation()));
    renderWithProviders(<VersionEvaluation projectId={3} versionId={11} versionNumber={1} />);

    expect(await screen.findByTestId("worst-slice")).toHaveTextContent("Worst slice: language = fr");
    const worstRow = screen.getByTestId("worst-slice-row");
    expect(worstRow).toHaveTextContent("fr");
    expect(worstRow).toHaveTextContent("+35.0 pts");
    expect(within(worstRow).getByText("+35.0 pts")).toHaveClass("gap-clear");
    expect(screen.getByRole("row", { name: /\(missing\)/ })).toHaveTextContent("(few items)");
  });

  it("shows the operating points of a moderation policy", async () => {
    const point = {
      n: 80,
      violations: 20,
      removed_count: 12,
      allowed_count: 50,
      removed: m(0.15, 0.09, 0.24),
      allowed: m(0.625, 0.52, 0.72),
      to_people: m(0.225, 0.15, 0.33),
      remove_precision: m(1, 0.76, 1),
      remove_recall: m(0.6, 0.39, 0.78),
      allow_precision: m(0.98, 0.9, 1),
      allow_recall: m(0.817, 0.7, 0.9),
    };
    const report = evaluationReport({
      operating_points: [
        {
          policy_id: 4,
          policy: "SMS policy",
          unknown_classes: [],
          categories: [{ ...point, name: "Spam", label_class: "spam", remove_threshold: 0.9, allow_threshold: 0.1 }],
          combined: point,
        },
      ],
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(versionEvaluation({ evaluation: report })));
    renderWithProviders(<VersionEvaluation projectId={3} versionId={11} versionNumber={1} />);

    const points = await screen.findByTestId("operating-points");
    expect(points).toHaveTextContent("Policy SMS policy at its thresholds");
    expect(within(points).getByRole("row", { name: /Spam \(0.90 \/ 0.10\)/ })).toHaveTextContent("15.0%9.0–24.0%");
  });

  it("says how to get slices when none are declared, and evaluates again on request", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      if (init?.method === "POST") return jsonResponse(trainingJob({ kind: "evaluate", model_version: 11 }), { status: 202 });
      return jsonResponse(
        versionEvaluation({
          evaluation: evaluationReport({ slices: { min_support: 20, positive_classes: ["spam"], fields: [], worst: [] } }),
        }),
      );
    });
    renderWithProviders(<VersionEvaluation projectId={3} versionId={11} versionNumber={1} />);

    expect(await screen.findByTestId("slices-empty")).toHaveTextContent("declare metadata fields as slices");
    await userEvent.click(screen.getByTestId("evaluate-again"));
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith(
        expect.stringContaining("/api/v1/projects/3/model-versions/11/evaluation/"),
        expect.objectContaining({ method: "POST" }),
      ),
    );
  });

  it("renders hostile slice values as text", async () => {
    const report = evaluationReport();
    const field = report.slices.fields[0];
    if (!field?.values[0]) throw new Error("fixture");
    field.values[0].value = "<img src=x onerror=alert(1)>";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(versionEvaluation({ evaluation: report })));
    renderWithProviders(<VersionEvaluation projectId={3} versionId={11} versionNumber={1} />);

    expect(await screen.findByText("<img src=x onerror=alert(1)>")).toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
  });
});
