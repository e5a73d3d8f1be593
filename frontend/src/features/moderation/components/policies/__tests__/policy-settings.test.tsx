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
    });
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
