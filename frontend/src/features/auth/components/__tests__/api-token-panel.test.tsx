import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { ApiTokenPanel } from "../api-token-panel";

const KEY = "tdu_Q2hvb3NlIGEgbG9uZyByYW5kb20ga2V5IGhlcmU";

/** The token endpoint: GET (what is kept), POST (a new key, once), DELETE (revoke). */
function tokenServer(initial: { prefix: string; created_at: string; last_used_at: string | null } | null) {
  let kept = initial;
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
    if (init?.method === "POST") {
      kept = { prefix: KEY.slice(0, 12), created_at: "2026-12-01T10:00:00Z", last_used_at: null };
      return jsonResponse({ token: KEY, ...kept }, { status: 201 });
    }
    if (init?.method === "DELETE") {
      kept = null;
      return new Response(null, { status: 204 });
    }
    return kept ? jsonResponse(kept) : jsonResponse({ message: "You have no API token.", extra: {} }, { status: 404 });
  });
}

describe("ApiTokenPanel", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("shows the token the person has by its prefix, never a key", async () => {
    tokenServer({ prefix: "tdu_abcd1234", created_at: "2026-11-01T10:00:00Z", last_used_at: null });
    renderWithProviders(<ApiTokenPanel />);

    expect(await screen.findByTestId("api-token-prefix")).toHaveTextContent("tdu_abcd1234…");
    expect(screen.getByTestId("api-token-last-used")).toHaveTextContent("never");
    expect(screen.queryByTestId("api-token-new")).toBeNull();
  });

  it("shows a new key once, then only its prefix after it is revoked", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    tokenServer(null);
    renderWithProviders(<ApiTokenPanel />);
    expect(await screen.findByTestId("api-token-none")).toBeInTheDocument();
    expect(screen.getByTestId("api-token-revoke")).toBeDisabled();

    await user.click(screen.getByTestId("api-token-create"));

    expect(await screen.findByTestId("api-token-new")).toHaveValue(KEY);
    expect(screen.getByTestId("api-token-prefix")).toHaveTextContent(`${KEY.slice(0, 12)}…`);

    await user.click(screen.getByTestId("api-token-revoke"));

    await waitFor(() => expect(screen.queryByTestId("api-token-new")).toBeNull());
    expect(await screen.findByTestId("api-token-none")).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(KEY);
  });
});
