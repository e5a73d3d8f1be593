import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page } from "../../../testing/fixtures";
import type { AuditEvent } from "../../../types";
import { AuditLog } from "../audit-log";

function event(id: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    created_at: "2026-01-01T10:00:00Z",
    actor_id: 4,
    actor_name: "mia",
    action: "decision.create",
    object_type: "moderation.content",
    object_id: "17",
    scope: "labeling.project:9",
    before: null,
    after: { action: "remove", note: "<img src=x onerror=alert(1)>" },
    request_id: "req-1",
    ...overrides,
  };
}

describe("AuditLog", () => {
  it("lists events as the API orders them (newest first) with before/after as text, and no way to edit", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(page([event(2, { actor_name: "", action: "policy.update", before: { automation_level: "assist" } }), event(1)])),
    );
    renderWithProviders(<AuditLog />);

    const rows = await screen.findAllByTestId("audit-row");
    expect(rows.map((row) => row.getAttribute("data-action"))).toEqual(["policy.update", "decision.create"]);
    expect(rows[0]).toHaveTextContent("system");
    expect(rows[1]).toHaveTextContent('"note": "<img src=x onerror=alert(1)>"');
    expect(document.querySelector("img")).toBeNull();
    expect(screen.queryByRole("button", { name: /delete|edit/i })).toBeNull();
  });

  it("sends the filters, with the dates as instants", async () => {
    const user = userEvent.setup();
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(page([])));
    renderWithProviders(<AuditLog />);
    await screen.findByTestId("audit-empty");

    await user.type(screen.getByTestId("audit-filter-action"), "appeal.");
    await user.type(screen.getByTestId("audit-filter-object_type"), "moderation.appeal");
    await user.type(screen.getByTestId("audit-filter-actor"), "sam");
    await user.type(screen.getByTestId("audit-filter-since"), "2026-01-02T08:30");
    await user.click(screen.getByTestId("audit-apply"));

    await waitFor(() => {
      const url = new URL(String(fetchMock.mock.calls.at(-1)?.[0]), "http://localhost");
      expect(url.pathname).toBe("/api/v1/audit/");
      expect(Object.fromEntries(url.searchParams)).toEqual({
        action: "appeal.",
        object_type: "moderation.appeal",
        actor: "sam",
        since: new Date("2026-01-02T08:30").toISOString(),
        page: "1",
      });
    });
  });
});
