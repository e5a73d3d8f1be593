import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { PolicyGrant } from "../../types";
import { page, policyGrant, recordedCalls } from "../../testing/fixtures";
import { PolicyGrantsPanel } from "../policy-grants-panel";

/** A small stand-in for the grants API of platform 4: list, grant (PUT), revoke (DELETE). */
function grantsServer(initial: PolicyGrant[]) {
  let rows = [...initial];
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const path = new URL(String(input), "http://localhost").pathname;
    const one = /^\/api\/v1\/moderation\/platforms\/4\/grants\/(\d+)\/$/.exec(path);
    if (one && init?.method === "PUT") {
      rows = rows.map((row) =>
        row.policy === Number(one[1])
          ? { ...row, granted: true, granted_at: "2026-02-01T08:00:00Z", granted_by: "root" }
          : row,
      );
      return jsonResponse(rows.find((row) => row.policy === Number(one[1])), { status: 201 });
    }
    if (one && init?.method === "DELETE") {
      rows = rows.map((row) =>
        row.policy === Number(one[1]) ? { ...row, granted: false, granted_at: null, granted_by: null } : row,
      );
      return new Response(null, { status: 204 });
    }
    return jsonResponse(page(rows));
  });
}

describe("PolicyGrantsPanel", () => {
  it("grants a policy, then revokes it only after confirming", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    const fetchMock = grantsServer([
      policyGrant({ policy: 7, policy_name: "Community rules" }),
      policyGrant({
        policy: 8,
        policy_name: "Marketplace rules",
        granted: true,
        granted_at: "2026-01-10T09:00:00Z",
        granted_by: "ops-lead",
      }),
    ]);
    renderWithProviders(<PolicyGrantsPanel platformId={4} />);
    const rows = await screen.findAllByTestId("policy-grant-row");
    expect(rows.map((row) => row.getAttribute("data-granted"))).toEqual(["false", "true"]);
    const [community, marketplace] = rows;
    if (!community || !marketplace) throw new Error("two rows expected");
    expect(within(marketplace).getByTestId("policy-grant-status")).toHaveTextContent("may use");
    expect(marketplace).toHaveTextContent("by ops-lead");

    await user.click(within(community).getByTestId("policy-grant"));
    await waitFor(() =>
      expect(screen.getAllByTestId("policy-grant-row").map((row) => row.getAttribute("data-granted"))).toEqual([
        "true",
        "true",
      ]),
    );

    await user.click(within(marketplace).getByTestId("policy-grant-revoke"));
    expect(within(marketplace).getByTestId("policy-grant-confirm")).toHaveTextContent("refused from the next request");
    await user.click(within(marketplace).getByTestId("policy-grant-revoke-no"));
    expect(recordedCalls(fetchMock).some((call) => call.method === "DELETE")).toBe(false);
    await user.click(within(marketplace).getByTestId("policy-grant-revoke"));
    await user.click(within(marketplace).getByTestId("policy-grant-revoke-yes"));

    await waitFor(() =>
      expect(screen.getAllByTestId("policy-grant-row").map((row) => row.getAttribute("data-granted"))).toEqual([
        "true",
        "false",
      ]),
    );
    expect(recordedCalls(fetchMock).filter((call) => call.method !== "GET")).toEqual([
      { method: "PUT", path: "/api/v1/moderation/platforms/4/grants/7/", body: undefined },
      { method: "DELETE", path: "/api/v1/moderation/platforms/4/grants/8/", body: undefined },
    ]);
  });

  it("says where policies come from when there are none", async () => {
    grantsServer([]);
    renderWithProviders(<PolicyGrantsPanel platformId={4} />);

    expect(await screen.findByTestId("policy-grants-empty")).toHaveTextContent("Policies page");
  });
});
