import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page } from "../../../testing/fixtures";
import type { CompareSide, StageModelVersion } from "../../../types";
import { ModelStageControls } from "../model-stage-controls";

function version(id: number, versionNumber: number, stage: StageModelVersion["stage"], rocAuc: number): StageModelVersion {
  return {
    id,
    version: versionNumber,
    artifact_url: null,
    algorithm: "logistic_regression",
    embedder: "hashing@1",
    snapshot_id: "",
    snapshot_hash: "",
    dataset_snapshot: null,
    label_count: 100 * versionNumber,
    hyperparameters: {},
    metrics: { n: 40, roc_auc: rocAuc, f1_macro: rocAuc - 0.1, accuracy: 0.9, ece: 0.03, f1_per_class: {} },
    status: "ready",
    stage,
    promoted_at: null,
    promotion: {},
    stage_history: [],
    created_by: "ada",
    created_at: "2026-01-01T10:00:00Z",
  };
}

function side(v: StageModelVersion, agreement: number | null): CompareSide {
  return {
    id: v.id,
    version: v.version,
    stage: v.stage,
    embedder: "hashing@1",
    label_count: v.label_count,
    train_n: v.label_count,
    train_source_counts: null,
    created_at: v.created_at,
    promoted_at: null,
    promotion: {},
    metrics: {
      classes: null,
      n: 40,
      roc_auc: v.metrics.roc_auc ?? null,
      f1_macro: null,
      accuracy: null,
      ece: null,
      f1_per_class: null,
      label_counts: null,
      confusion_matrix: null,
      intervals: null,
    },
    same_items_metrics: null,
    decision_agreement: agreement === null ? null : { decisions: 50, n: 48, agreement },
  };
}

const SHADOW = version(13, 3, "shadow", 0.95);
const PRODUCTION = version(12, 2, "production", 0.9);
const VERSIONS = [SHADOW, PRODUCTION, { ...version(11, 1, "archived", 0.8), promoted_at: "2025-12-01T10:00:00Z" }];

function mockApi() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    if (init?.method === "POST") return jsonResponse({});
    if (url.pathname.endsWith("/compare/")) {
      const sameItems = { comparable: false, n: 0, reason: "", items_of_version: null, held_out_from: null };
      return jsonResponse({
        a: side(PRODUCTION, null),
        b: side(SHADOW, 0.875),
        same_items: sameItems,
        decisions_since: null,
      });
    }
    if (url.pathname.endsWith("/auth/csrf/")) return jsonResponse({ csrf_token: "t" });
    return jsonResponse(page(VERSIONS));
  });
}

const posts = (fetchMock: ReturnType<typeof mockApi>) =>
  fetchMock.mock.calls
    .filter(([, init]) => init?.method === "POST")
    .map(([input, init]) => [new URL(String(input), "http://localhost").pathname, JSON.parse(String(init?.body))]);

describe("ModelStageControls", () => {
  it("shows production, canary and shadow side by side with agreement with moderators", async () => {
    const fetchMock = mockApi();
    renderWithProviders(<ModelStageControls projectId={9} canChange />);

    const production = await screen.findByTestId("stage-slot-production");
    const shadow = screen.getByTestId("stage-slot-shadow");
    expect(production).toHaveTextContent("version 2");
    expect(within(production).getByTestId("metric-roc-auc")).toHaveTextContent("0.900");
    expect(shadow).toHaveTextContent("version 3");
    expect(within(shadow).getByTestId("metric-roc-auc")).toHaveTextContent("0.950");
    await waitFor(() => expect(within(shadow).getByTestId("metric-agreement")).toHaveTextContent("87.5%"));
    expect(screen.getByTestId("stage-slot-canary")).toHaveTextContent("No canary version");
    // Version numbers, not ids: the compare endpoint takes what people see.
    const compare = fetchMock.mock.calls
      .map(([input]) => new URL(String(input), "http://localhost"))
      .find((url) => url.pathname.endsWith("/compare/"));
    expect(Object.fromEntries(compare?.searchParams ?? [])).toEqual({ a: "2", b: "3" });
  });

  it("asks before promoting, sends nothing on cancel, and promotes on confirm", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<ModelStageControls projectId={9} canChange />);
    await screen.findByTestId("stage-slot-shadow");

    await user.click(screen.getByTestId("promote-canary"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Promote version 3 to canary?");
    await user.click(screen.getByTestId("confirm-no"));
    expect(posts(fetchMock)).toEqual([]);

    await user.click(screen.getByTestId("promote-production-shadow"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Version 2 will be archived");
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() =>
      expect(posts(fetchMock)).toEqual([["/api/v1/projects/9/model-versions/13/stage/", { stage: "production" }]]),
    );

    await user.click(screen.getByTestId("rollback"));
    expect(screen.getByTestId("confirm-dialog")).toHaveTextContent("Version 1, the previous production version, serves again");
    await user.click(screen.getByTestId("confirm-yes"));
    await waitFor(() => expect(posts(fetchMock)[1]).toEqual(["/api/v1/projects/9/model-versions/rollback/", { reason: "" }]));
  });

  it("shows no stage buttons to a role that cannot change stages", async () => {
    mockApi();
    renderWithProviders(<ModelStageControls projectId={9} canChange={false} />);
    await screen.findByTestId("stage-slot-shadow");
    expect(screen.queryByTestId("promote-canary")).toBeNull();
    expect(screen.queryByTestId("rollback")).toBeNull();
  });
});
