import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { ComparisonSide, ModelComparison as Comparison } from "../../types";
import { ModelComparison } from "../model-comparison";

function side(version: number, overrides: Partial<ComparisonSide> = {}): ComparisonSide {
  return {
    id: 100 + version,
    version,
    stage: version === 1 ? "production" : "shadow",
    embedder: "hashing@1",
    label_count: 40,
    train_n: 40,
    train_source_counts: { import: 40, human: 0, moderation: 0, appeal: 0 },
    created_at: "2026-01-01T10:00:00Z",
    promoted_at: null,
    promotion: {},
    metrics: {
      classes: ["ham", "spam"],
      n: 10 * version,
      roc_auc: 0.8,
      f1_macro: 0.7,
      accuracy: 0.75,
      ece: 0.1,
      f1_per_class: { ham: 0.8, spam: 0.6 },
      label_counts: null,
      confusion_matrix: [[5, 1], [2, 2]],
      intervals: null,
    },
    same_items_metrics: null,
    decision_agreement: null,
    ...overrides,
  };
}

function answer(body: Comparison) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(body));
}

describe("ModelComparison", () => {
  it("shows both versions on the same items with intervals and the change", async () => {
    const scores = (accuracy: number, interval: number[]) => ({
      classes: ["ham", "spam"],
      n: 19,
      accuracy,
      intervals: { accuracy: interval },
      confusion_matrix: [[10, 2], [3, 4]],
    });
    const fetchMock = answer({
      a: side(1, { same_items_metrics: scores(0.7368, [0.5121, 0.8819]) }),
      b: side(2, {
        same_items_metrics: scores(0.8125, [0.6181, 0.9236]),
        promotion: { promoted: false, stage: "shadow", reason: "held-out F1 is 0 for spam" },
      }),
      same_items: {
        comparable: true,
        n: 19,
        reason: "the held-out items of version 2, scored by both",
        items_of_version: 2,
        held_out_from: "recorded",
      },
      decisions_since: null,
    });
    renderWithProviders(<ModelComparison projectId={3} a={1} b={2} />);

    expect(await screen.findByTestId("shared-items")).toHaveTextContent("the same 19 held-out items");
    expect(String(fetchMock.mock.calls[0]?.[0])).toContain("/projects/3/model-versions/compare/?a=1&b=2");
    const accuracy = within(screen.getByTestId("compare-metrics")).getByRole("row", { name: /^Accuracy/ });
    expect(Array.from(accuracy.children).map((cell) => cell.textContent)).toEqual([
      "Accuracy",
      "0.74 (0.51–0.88, n=19)",
      "0.81 (0.62–0.92, n=19)",
      "+0.08",
    ]);
    expect(screen.getByTestId("compare-side-2")).toHaveTextContent("Stays in shadow: held-out F1 is 0 for spam.");
    expect(screen.getByRole("table", { name: "Version 1" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Version 2" })).toBeInTheDocument();
  });

  it("says when the versions could not be scored on the same items, and why", async () => {
    answer({
      a: side(1),
      b: side(2, { embedder: "minilm@1" }),
      same_items: {
        comparable: false,
        n: 0,
        reason: "version 1 reads hashing@1 vectors and version 2 reads minilm@1 vectors",
        items_of_version: null,
        held_out_from: null,
      },
      decisions_since: null,
    });
    renderWithProviders(<ModelComparison projectId={3} a={1} b={2} />);

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Not scored on the same items: version 1 reads hashing@1 vectors and version 2 reads minilm@1 vectors.",
    );
    expect(screen.queryByTestId("metric-delta")).not.toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Each version's scores on its own held-out set" })).toBeInTheDocument();
  });
});
