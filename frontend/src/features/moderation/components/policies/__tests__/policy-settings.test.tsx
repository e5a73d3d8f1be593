import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { policy } from "../../../testing/fixtures";
import { PolicySettings } from "../policy-settings";

function mockApi() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    if (String(input).endsWith("/auth/csrf/")) return jsonResponse({ csrf_token: "t" });
    const body = JSON.parse(String(init?.body)) as object;
    return jsonResponse({ ...policy(), ...body, updated_at: "2026-02-01T10:00:00Z" });
  });
}

describe("PolicySettings", () => {
  it("saves the automation level, thresholds and a new reason code in one PATCH", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit />);

    await user.selectOptions(screen.getByTestId("policy-automation"), "partial");
    const remove = screen.getByTestId("category-remove-threshold");
    await user.clear(remove);
    await user.type(remove, "0.9");
    await user.click(screen.getByRole("button", { name: "Add a reason code" }));
    const rows = screen.getAllByTestId("policy-reason-row");
    const added = rows.at(-1) as HTMLElement;
    await user.type(within(added).getByLabelText("Reason code"), "SPAM-3");
    await user.type(within(added).getByLabelText("Reason description"), "Phishing");
    await user.selectOptions(within(added).getByLabelText("Reason category"), "spam");
    await user.click(screen.getByTestId("policy-save"));

    await waitFor(() => expect(screen.getByTestId("policy-saved")).toBeInTheDocument());
    const [url, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "PATCH") ?? [];
    expect(String(url)).toBe("/api/v1/moderation/policies/3/");
    const body = JSON.parse(String(init?.body));
    expect(body.automation_level).toBe("partial");
    expect(body.categories[0]).toMatchObject({ name: "spam", remove_threshold: 0.9, allow_threshold: 0.05 });
    expect(body.reason_codes.at(-1)).toEqual({
      code: "SPAM-3",
      description: "Phishing",
      action: "remove",
      category: "spam",
      strike_points: null,
    });
  });

  it("saves strike settings: days strikes count, points per reason and category, thresholds in order", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit />);

    expect(screen.getByTestId("policy-thresholds-empty")).toHaveTextContent("no action is taken");
    const ttl = screen.getByTestId("policy-strike-ttl");
    await user.clear(ttl);
    await user.type(ttl, "30");
    await user.type(screen.getByLabelText("Category strike points"), "4");
    const reasons = screen.getAllByTestId("policy-reason-row");
    const spam2 = reasons.find((row) => within(row).getByLabelText<HTMLInputElement>("Reason code").value === "SPAM-2");
    await user.type(within(spam2 as HTMLElement).getByLabelText("Reason strike points"), "6");
    await user.click(screen.getByRole("button", { name: "Add a threshold" }));
    await user.click(screen.getByRole("button", { name: "Add a threshold" }));
    const [first, second] = screen.getAllByTestId("policy-threshold-row") as [HTMLElement, HTMLElement];
    const points = within(first).getByLabelText("Threshold points");
    await user.clear(points);
    await user.type(points, "8");
    await user.selectOptions(within(first).getByLabelText("Threshold action"), "suspend");
    const days = within(first).getByLabelText("Suspension days");
    await user.clear(days);
    await user.type(days, "14");
    expect(within(second).queryByLabelText("Suspension days")).toBeNull();
    await user.click(screen.getByTestId("policy-save"));

    await waitFor(() => expect(screen.getByTestId("policy-saved")).toBeInTheDocument());
    const [, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "PATCH") ?? [];
    const body = JSON.parse(String(init?.body));
    expect(body.strike_ttl_days).toBe(30);
    expect(body.strike_thresholds).toEqual([
      { points: 3, action: "warn", suspend_days: null },
      { points: 8, action: "suspend", suspend_days: 14 },
    ]);
    expect(body.categories[0].strike_points).toBe(4);
    expect(body.reason_codes.find((r: { code: string }) => r.code === "SPAM-2").strike_points).toBe(6);
    expect(body.reason_codes.find((r: { code: string }) => r.code === "SPAM-1").strike_points).toBeNull();
  });

  it("saves the SLA warning window, and will not save one outside 0 to a week", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit />);

    const warning = screen.getByTestId("policy-sla-warning");
    expect(warning).toHaveValue(policy().sla_warning_minutes);
    await user.clear(warning);
    await user.type(warning, "20000");
    expect(screen.getByTestId("policy-problem")).toHaveTextContent("from 0 to 10,080");
    expect(screen.getByTestId("policy-save")).toBeDisabled();
    await user.clear(warning);
    await user.type(warning, "120");
    await user.click(screen.getByTestId("policy-save"));

    await waitFor(() => expect(screen.getByTestId("policy-saved")).toBeInTheDocument());
    const [, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "PATCH") ?? [];
    expect(JSON.parse(String(init?.body)).sla_warning_minutes).toBe(120);
  });

  it("will not save two thresholds at the same points, a suspension without days, or negative days", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit />);

    await user.click(screen.getByRole("button", { name: "Add a threshold" }));
    await user.click(screen.getByRole("button", { name: "Add a threshold" }));
    expect(screen.getByTestId("policy-problem")).toHaveTextContent("Two thresholds at 3 points.");
    const [first] = screen.getAllByTestId("policy-threshold-row") as [HTMLElement];
    const points = within(first).getByLabelText("Threshold points");
    await user.clear(points);
    await user.type(points, "5");
    await user.selectOptions(within(first).getByLabelText("Threshold action"), "suspend");
    await user.clear(within(first).getByLabelText("Suspension days"));
    expect(screen.getByTestId("policy-problem")).toHaveTextContent("The suspension at 5 points needs 1 to 3650 days.");
    await user.type(within(first).getByLabelText("Suspension days"), "3");
    const ttl = screen.getByTestId("policy-strike-ttl");
    await user.clear(ttl);
    await user.type(ttl, "-1");
    expect(screen.getByTestId("policy-problem")).toHaveTextContent("Strikes count for a whole number of days");
    expect(screen.getByTestId("policy-save")).toBeDisabled();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("will not save an allow threshold above the remove threshold, and says why", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit />);

    const allow = screen.getByTestId("category-allow-threshold");
    await user.clear(allow);
    await user.type(allow, "0.99");
    expect(screen.getByTestId("policy-problem")).toHaveTextContent("allow threshold must be below the remove threshold");
    expect(screen.getByTestId("policy-save")).toBeDisabled();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("is read-only for a role that cannot change policies", () => {
    renderWithProviders(<PolicySettings policy={policy()} labelClasses={["ham", "spam"]} canEdit={false} />);
    expect(screen.getByTestId("policy-automation")).toBeDisabled();
    expect(screen.queryByTestId("policy-save")).toBeNull();
  });
});
