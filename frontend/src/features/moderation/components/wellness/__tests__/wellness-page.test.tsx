import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { DEFAULT_WELLNESS, exposure, page, wellness } from "../../../testing/fixtures";
import type { Wellness, WellnessValues } from "../../../types";
import { WellnessPage } from "../wellness-page";

type Call = { method: string; path: string; body: unknown };

/** The wellness API: own values over the defaults; `manages` answers the moderators' list. */
function fakeWellnessServer({ manages = true }: { manages?: boolean } = {}) {
  const calls: Call[] = [];
  let state: Wellness = wellness();
  let defaults: WellnessValues = { ...DEFAULT_WELLNESS };
  const effective = () => {
    const own = state.own;
    const merged = { ...defaults };
    for (const [key, value] of Object.entries(own)) {
      if (value !== null) (merged as Record<string, unknown>)[key] = value;
    }
    return merged;
  };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path, body });
    if (path === "/auth/csrf/") return jsonResponse({ csrf_token: "token" });
    if (path === "/moderation/wellness/me/" && method === "PATCH") {
      state = { ...state, own: { ...state.own, ...(body as object) } };
    }
    if (path === "/moderation/wellness/me/reset/") state = wellness();
    if (path.startsWith("/moderation/wellness/me/")) {
      return jsonResponse({ ...state, defaults, effective: effective() });
    }
    if (path === "/moderation/wellness/defaults/") {
      if (method === "PATCH") defaults = { ...defaults, ...(body as object) };
      return jsonResponse({ ...defaults, updated_by: "ada", updated_at: null });
    }
    if (path === "/moderation/wellness/exposure/") return jsonResponse(exposure(3, { last_7_days: 11 }));
    if (path === "/moderation/wellness/exposure/moderators/") {
      if (!manages) return jsonResponse({ message: "Only managers." }, { status: 403 });
      return jsonResponse(page([exposure(3, { username: "mia" }), exposure(0, { user_id: 8, username: "ben" })]));
    }
    return jsonResponse({ message: `Unexpected ${method} ${path}` }, { status: 500 });
  });
  return { calls: (method: string, pattern: RegExp) => calls.filter((c) => c.method === method && pattern.test(c.path)) };
}

describe("WellnessPage", () => {
  it("shows the defaults a moderator follows, saves a choice of their own at once and resets", async () => {
    const user = userEvent.setup();
    const server = fakeWellnessServer({ manages: false });
    renderWithProviders(<WellnessPage isStaff={false} />);

    const blur = await screen.findByTestId("wellness-blur");
    expect(blur).toHaveValue("");
    expect(within(blur).getByRole("option", { name: "Default (light)" })).toBeInTheDocument();
    await user.selectOptions(blur, "strong");
    await user.selectOptions(screen.getByTestId("wellness-grayscale"), "on");

    expect(await screen.findByTestId("wellness-saved")).toHaveTextContent("Saved.");
    expect(server.calls("PATCH", /wellness\/me\/$/).map((c) => c.body)).toEqual([{ blur: "strong" }, { grayscale: true }]);
    expect(screen.getByTestId("wellness-blur")).toHaveValue("strong");

    await user.click(screen.getByTestId("wellness-reset"));
    await waitFor(() => expect(screen.getByTestId("wellness-blur")).toHaveValue(""));
    expect(screen.getByTestId("wellness-grayscale")).toHaveValue("");
    // Only staff see the organisation's defaults; someone who manages nobody sees no table.
    expect(screen.queryByTestId("wellness-defaults")).toBeNull();
    expect(screen.queryByTestId("moderators-exposure")).toBeNull();
  });

  it("shows the moderator's own exposure today and this week", async () => {
    fakeWellnessServer({ manages: false });
    renderWithProviders(<WellnessPage isStaff={false} />);

    expect(await screen.findByTestId("my-exposure-today")).toHaveTextContent("3");
    expect(screen.getByTestId("my-exposure-week")).toHaveTextContent("11");
  });

  it("lets staff change the organisation's defaults and see the moderators' exposure", async () => {
    const user = userEvent.setup();
    const server = fakeWellnessServer();
    renderWithProviders(<WellnessPage isStaff />);

    const sepia = await screen.findByTestId("wellness-defaults-sepia");
    expect(within(sepia).queryByRole("option", { name: /Default/ })).toBeNull();
    await user.selectOptions(sepia, "on");
    expect(await screen.findByTestId("wellness-defaults-saved")).toBeInTheDocument();
    expect(server.calls("PATCH", /wellness\/defaults\/$/).map((c) => c.body)).toEqual([{ sepia: true }]);
    // The moderator's own form now names the new default.
    await waitFor(() =>
      expect(within(screen.getByTestId("wellness-sepia")).getByRole("option", { name: "Default (on)" })).toBeInTheDocument(),
    );

    const rows = await screen.findAllByTestId("moderator-exposure-row");
    expect(rows.map((row) => row.getAttribute("data-username"))).toEqual(["mia", "ben"]);
    expect(rows[0]).toHaveTextContent("mia3");
  });
});
