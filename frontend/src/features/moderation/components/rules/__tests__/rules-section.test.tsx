import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { RulesSection } from "../rules-section";

const RULE = {
  id: 7,
  name: "scam from new accounts",
  description: "",
  condition: { all: [{ signal: "bank", bank: "scam phrases" }] },
  action: "remove",
  category: "spam",
  status: "background",
  expires_at: null,
  position: 0,
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
  hits: 12,
  acted: 0,
  human_removed: 9,
  human_allowed: 3,
  precision: 0.75,
};
const BANK = { id: 2, name: "scam phrases", description: "", terms: ["free money"], patterns: [], created_at: "", updated_at: "" };
const BACKTEST = {
  id: 5,
  rule: 7,
  condition: RULE.condition,
  period_start: "2026-11-01T00:00:00Z",
  period_end: "2026-12-01T00:00:00Z",
  state: "succeeded",
  attempts: 1,
  rows_total: 40,
  rows_done: 40,
  progress: 1,
  results: { contents: 40, hits: 10, human_removed: 6, human_allowed: 2, automatic: 1, pending: 1, precision: 0.75, sample: [], overlap: [] },
  error_message: "",
  created_at: "2026-12-01T10:00:00Z",
  started_at: null,
  finished_at: null,
};

function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

function mockApi({ rules = [RULE], banks = [BANK], backtests = [BACKTEST] } = {}) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    if (url.endsWith("/auth/csrf/")) return jsonResponse({ csrf_token: "t" });
    if (init?.method === "POST" || init?.method === "PATCH") return jsonResponse({ ...RULE, ...JSON.parse(String(init.body)) });
    if (url.includes("/rules/")) return jsonResponse(page(rules));
    if (url.includes("/text-banks/")) return jsonResponse(page(banks));
    return jsonResponse(page(backtests));
  });
}

describe("RulesSection", () => {
  it("shows each rule's condition, status, figures and latest backtest", async () => {
    mockApi();
    renderWithProviders(<RulesSection policyId={3} categories={["spam"]} canEdit={false} />);

    const row = await screen.findByTestId("rule-row");
    expect(within(row).getByTestId("rule-condition")).toHaveTextContent("When text hits bank “scam phrases”");
    expect(within(row).getByTestId("rule-status")).toHaveTextContent("Background");
    expect(within(row).getByTestId("rule-figures")).toHaveTextContent("12 hits");
    expect(within(row).getByTestId("rule-figures")).toHaveTextContent("precision 75 %");
    expect(within(row).getByTestId("backtest-hits")).toHaveTextContent("10");
    expect(within(row).queryByTestId("rule-status-select")).not.toBeInTheDocument();
    expect(screen.getByTestId("text-bank")).toHaveTextContent("1 terms, 0 patterns");
  });

  it("says what to do when there are no rules or banks", async () => {
    mockApi({ rules: [], banks: [], backtests: [] });
    renderWithProviders(<RulesSection policyId={3} categories={["spam"]} canEdit />);

    expect(await screen.findByTestId("rules-empty")).toHaveTextContent("Write one, run it in the background");
    expect(screen.getByTestId("text-banks-empty")).toBeInTheDocument();
  });

  it("writes a rule from the condition builder and switches a rule live", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<RulesSection policyId={3} categories={["spam"]} canEdit />);

    await user.click(await screen.findByTestId("write-rule"));
    await user.type(screen.getByLabelText("Name"), "young scammers");
    await user.selectOptions(screen.getByLabelText("Text bank of condition 1"), "scam phrases");
    await user.click(screen.getByRole("button", { name: "Add a condition" }));
    await user.selectOptions(screen.getByLabelText("Signal of condition 2"), "account_age_days");
    await user.selectOptions(screen.getByLabelText("Comparison of condition 2"), "<");
    await user.type(screen.getByLabelText("Value of condition 2"), "7");
    await user.selectOptions(screen.getByLabelText("Action"), "remove");
    await user.click(screen.getByTestId("rule-submit"));

    await waitFor(() => expect(fetchMock.mock.calls.some(([, init]) => init?.method === "POST")).toBe(true));
    const [url, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "POST") ?? [];
    expect(String(url)).toBe("/api/v1/moderation/policies/3/rules/");
    expect(JSON.parse(String(init?.body))).toEqual({
      name: "young scammers",
      action: "remove",
      status: "background",
      category: null,
      condition: {
        all: [
          { signal: "bank", bank: "scam phrases" },
          { signal: "account_age_days", op: "<", value: 7 },
        ],
      },
    });

    await user.selectOptions(screen.getByLabelText("Status of scam from new accounts"), "live");
    await waitFor(() => expect(fetchMock.mock.calls.some(([, request]) => request?.method === "PATCH")).toBe(true));
    const [patchUrl, patch] = fetchMock.mock.calls.find(([, request]) => request?.method === "PATCH") ?? [];
    expect(String(patchUrl)).toBe("/api/v1/moderation/rules/7/");
    expect(JSON.parse(String(patch?.body))).toEqual({ status: "live" });
  });

  it("asks a strike rule for 1 to 100 points and sends them", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<RulesSection policyId={3} categories={["spam"]} canEdit />);

    await user.click(await screen.findByTestId("write-rule"));
    await user.type(screen.getByLabelText("Name"), "strike scammers");
    await user.selectOptions(screen.getByLabelText("Text bank of condition 1"), "scam phrases");
    await user.selectOptions(screen.getByLabelText("Action"), "strike");
    const points = screen.getByLabelText("Strike points");
    await user.clear(points);
    await user.type(points, "101");
    await user.click(screen.getByTestId("rule-submit"));

    expect(await screen.findByTestId("rule-points-problem")).toHaveTextContent("from 1 to 100");
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === "POST")).toBe(false);

    await user.clear(points);
    await user.type(points, "5");
    await user.click(screen.getByTestId("rule-submit"));
    await waitFor(() => expect(fetchMock.mock.calls.some(([, init]) => init?.method === "POST")).toBe(true));
    const [, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "POST") ?? [];
    expect(JSON.parse(String(init?.body))).toMatchObject({ action: "strike", strike_points: 5 });
  });

  it("offers notify, which needs no points", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<RulesSection policyId={3} categories={["spam"]} canEdit />);

    await user.click(await screen.findByTestId("write-rule"));
    await user.type(screen.getByLabelText("Name"), "tell the platform");
    await user.selectOptions(screen.getByLabelText("Text bank of condition 1"), "scam phrases");
    await user.selectOptions(screen.getByLabelText("Action"), "notify");
    expect(screen.queryByLabelText("Strike points")).toBeNull();
    await user.click(screen.getByTestId("rule-submit"));

    await waitFor(() => expect(fetchMock.mock.calls.some(([, init]) => init?.method === "POST")).toBe(true));
    const [, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "POST") ?? [];
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    expect(body.action).toBe("notify");
    expect(body).not.toHaveProperty("strike_points");
  });
});
