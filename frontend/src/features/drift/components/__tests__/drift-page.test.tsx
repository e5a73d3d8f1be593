import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { driftState, driftWindow, SETTINGS } from "../../testing/fixtures";
import { DriftBanner } from "../drift-banner";
import { DriftPage } from "../drift-page";

type Routes = { state: unknown; windows: unknown[] };

function serve(routes: Routes) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    calls.push({ url, method, body: init?.body ? JSON.parse(String(init.body)) : null });
    if (url.includes("/drift/windows/")) {
      return jsonResponse({ count: routes.windows.length, next: null, previous: null, results: routes.windows });
    }
    if (url.includes("/drift/settings/")) return jsonResponse({ ...SETTINGS, score_psi_threshold: 0.3 });
    return jsonResponse(routes.state);
  });
  return calls;
}

afterEach(() => vi.restoreAllMocks());

const ALARMED = driftWindow({
  id: 2,
  number: 2,
  score_psi: 1.2,
  domain_auc: 0.99,
  alarms: ["score_psi", "domain_auc"],
  note: "<img src=x onerror=alert(1)>",
});

describe("DriftPage", () => {
  it("explains what feeds it when there is no window yet", async () => {
    serve({ state: driftState(), windows: [] });
    renderWithProviders(<DriftPage projectId={1} canManage />);

    const empty = await screen.findByTestId("drift-empty");
    expect(empty).toHaveTextContent("moderation intake");
    expect(empty).toHaveTextContent("500 new items");
    expect(screen.queryByTestId("drift-chart-score_psi")).not.toBeInTheDocument();
  });

  it("charts the four measures with thresholds and marks the alarm", async () => {
    serve({
      state: driftState({ alarm: true, alarms: ALARMED.alarms, window: ALARMED, alarm_since: ALARMED, windows: 2 }),
      windows: [ALARMED, driftWindow()],
    });
    renderWithProviders(<DriftPage projectId={1} canManage />);

    expect(await screen.findByTestId("drift-alarm")).toHaveTextContent(
      "Score PSI, Domain classifier AUC above the threshold in window 2",
    );
    for (const measure of ["score_psi", "label_mix_psi", "domain_auc", "overturn_share"]) {
      expect(screen.getByTestId(`drift-chart-${measure}`)).toBeInTheDocument();
    }
    const auc = screen.getByTestId("drift-chart-domain_auc");
    expect(within(auc).getByTestId("drift-threshold")).toBeInTheDocument();
    expect(within(auc).getAllByTestId("drift-point-alarm")).toHaveLength(1);
    expect(within(auc).getAllByTestId("drift-point")).toHaveLength(1);
    // The overturn share was never measured: no points, a summary that says so.
    const overturn = screen.getByTestId("drift-chart-overturn_share");
    expect(within(overturn).queryAllByTestId("drift-point")).toHaveLength(0);
    expect(within(overturn).getByTestId("drift-chart-no-values")).toHaveTextContent("needs moderators' decisions");
    expect(screen.getByRole("img", { name: /Moderator overturn share by window/ })).toHaveAccessibleName(
      expect.stringContaining("No window has this measure yet."),
    );
    // Text from the server is text, never markup.
    expect(document.querySelector("img")).toBeNull();
  });

  it("saves changed thresholds for managers and is read-only for others", async () => {
    const calls = serve({ state: driftState({ windows: 1 }), windows: [driftWindow()] });
    const { unmount } = renderWithProviders(<DriftPage projectId={1} canManage />);

    const input = await screen.findByLabelText("Score PSI above");
    await userEvent.clear(input);
    await userEvent.type(input, "0.3");
    await userEvent.click(screen.getByRole("button", { name: "Save thresholds" }));

    const patch = calls.find((call) => call.method === "PATCH");
    expect(patch?.url).toContain("/api/v1/projects/1/drift/settings/");
    expect(patch?.body).toMatchObject({ score_psi_threshold: 0.3, domain_auc_threshold: 0.65 });
    unmount();

    renderWithProviders(<DriftPage projectId={1} canManage={false} />);
    expect(await screen.findByLabelText("Score PSI above")).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Save thresholds" })).not.toBeInTheDocument();
  });
});

describe("DriftBanner", () => {
  it("warns while the project is in alarm and links to the Drift page", async () => {
    serve({ state: driftState({ alarm: true, alarms: ["domain_auc"], window: ALARMED, alarm_since: ALARMED }), windows: [] });
    renderWithProviders(<DriftBanner projectId={1} driftHref="/projects/1/drift" subject="Spam <b>policy</b>" />);

    const banner = await screen.findByTestId("drift-banner");
    expect(banner).toHaveTextContent("Drift alarm (Spam <b>policy</b>)");
    expect(banner).toHaveTextContent("Domain classifier AUC");
    expect(within(banner).getByRole("link", { name: "See the drift page" })).toHaveAttribute("href", "/projects/1/drift");
  });

  it("says nothing when calm or when the project cannot be read", async () => {
    serve({ state: driftState({ windows: 3 }), windows: [] });
    const { unmount } = renderWithProviders(<DriftBanner projectId={1} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByTestId("drift-banner")).not.toBeInTheDocument();
    unmount();
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse({ message: "Not found.", extra: {} }, { status: 404 }),
    );
    renderWithProviders(<DriftBanner projectId={2} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByTestId("drift-banner")).not.toBeInTheDocument();
  });
});
