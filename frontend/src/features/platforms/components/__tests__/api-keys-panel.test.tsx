import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { ApiKey } from "../../types";
import { apiKey, page, recordedCalls } from "../../testing/fixtures";
import { ApiKeysPanel } from "../api-keys-panel";

const FULL_KEY = "tdm_k3Rb81xQ-9fJw2LrTzq0VbXcNdEaGhSyUmPiOkL";

/** A small stand-in for the keys API of platform 4: list, create, revoke. */
function keysServer(initial: ApiKey[]) {
  let keys = [...initial];
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const path = new URL(String(input), "http://localhost").pathname;
    if (init?.method === "POST" && path === "/api/v1/moderation/platforms/4/keys/") {
      const body = JSON.parse(String(init.body)) as { name: string; scopes: ApiKey["scopes"] };
      const created = apiKey({ id: 12, prefix: FULL_KEY.slice(0, 12), name: body.name, scopes: body.scopes });
      keys = [created, ...keys];
      return jsonResponse({ ...created, key: FULL_KEY }, { status: 201 });
    }
    const revoke = /^\/api\/v1\/moderation\/platforms\/4\/keys\/(\d+)\/revoke\/$/.exec(path);
    if (init?.method === "POST" && revoke) {
      keys = keys.map((key) => (key.id === Number(revoke[1]) ? { ...key, revoked_at: "2026-01-05T09:00:00Z" } : key));
      return jsonResponse(keys.find((key) => key.id === Number(revoke[1])));
    }
    return jsonResponse(page(keys));
  });
}

describe("ApiKeysPanel", () => {
  it("creates a key with the chosen scopes and shows it whole once, with a warning", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    const fetchMock = keysServer([apiKey({ id: 11, prefix: "tdm_oldKey01", scopes: ["reports"] })]);
    renderWithProviders(<ApiKeysPanel platformId={4} />);
    await screen.findByTestId("api-key-list");

    await user.type(screen.getByTestId("api-key-name"), "production servers");
    // Intake is ticked to begin with; add appeals.
    await user.click(screen.getByTestId("api-key-scope-appeals"));
    await user.click(screen.getByTestId("api-key-create"));

    expect(await screen.findByTestId("api-key-new")).toHaveValue(FULL_KEY);
    expect(screen.getByTestId("api-key-new-warning")).toHaveTextContent("you will not see it again");
    expect(recordedCalls(fetchMock).find((call) => call.method === "POST")).toEqual({
      method: "POST",
      path: "/api/v1/moderation/platforms/4/keys/",
      body: { name: "production servers", scopes: ["intake", "appeals"] },
    });
    await waitFor(() => expect(screen.getAllByTestId("api-key-row")).toHaveLength(2));
    const [newest] = screen.getAllByTestId("api-key-row");
    if (!newest) throw new Error("no key rows");
    expect(within(newest).getByTestId("api-key-prefix")).toHaveTextContent("tdm_k3Rb81xQ…");
    expect(within(newest).getByTestId("api-key-scopes")).toHaveTextContent("intake, appeals");
    // The list never holds the whole key.
    expect(screen.getByTestId("api-key-list")).not.toHaveTextContent(FULL_KEY);

    await user.click(screen.getByTestId("api-key-new-copy"));
    expect(await navigator.clipboard.readText()).toBe(FULL_KEY);
    await user.click(screen.getByTestId("api-key-new-dismiss"));
    expect(screen.queryByTestId("api-key-new")).toBeNull();
    expect(document.body).not.toHaveTextContent(FULL_KEY);
  });

  it("refuses to create a key without a scope", async () => {
    const user = userEvent.setup();
    const fetchMock = keysServer([]);
    renderWithProviders(<ApiKeysPanel platformId={4} />);
    await screen.findByTestId("api-keys-empty");

    await user.click(screen.getByTestId("api-key-scope-intake"));
    expect(screen.getByTestId("api-key-scope-needed")).toBeInTheDocument();
    expect(screen.getByTestId("api-key-create")).toBeDisabled();
    expect(recordedCalls(fetchMock).filter((call) => call.method === "POST")).toEqual([]);
  });

  it("revokes a key only after confirming", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    const fetchMock = keysServer([apiKey({ id: 11 })]);
    renderWithProviders(<ApiKeysPanel platformId={4} />);
    await screen.findByTestId("api-key-list");

    await user.click(screen.getByTestId("api-key-revoke"));
    expect(screen.getByTestId("api-key-confirm")).toHaveTextContent("Requests with it get 401");
    await user.click(screen.getByTestId("api-key-revoke-no"));
    expect(screen.queryByTestId("api-key-confirm")).toBeNull();
    expect(recordedCalls(fetchMock).filter((call) => call.method === "POST")).toEqual([]);

    await user.click(screen.getByTestId("api-key-revoke"));
    await user.click(screen.getByTestId("api-key-revoke-yes"));
    await waitFor(() => expect(screen.getByTestId("api-key-status")).toHaveTextContent("revoked"));
    expect(screen.queryByTestId("api-key-revoke")).toBeNull();
    expect(recordedCalls(fetchMock).filter((call) => call.method === "POST")).toEqual([
      { method: "POST", path: "/api/v1/moderation/platforms/4/keys/11/revoke/", body: undefined },
    ]);
  });
});
