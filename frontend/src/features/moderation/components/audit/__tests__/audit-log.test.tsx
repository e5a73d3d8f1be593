import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page } from "../../../testing/fixtures";
import type { AuditEvent, AuditObject } from "../../../types";
import { type AuditQuery, EMPTY_AUDIT_QUERY } from "../../../utils/audit-query";
import { AuditLog } from "../audit-log";

const NO_OBJECT: AuditObject = {
  state: "unknown",
  label: "",
  page: "",
  project_id: null,
  item_id: null,
  policy_id: null,
  platform_id: null,
};

function event(id: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id,
    created_at: "2026-01-01T10:00:00Z",
    actor_id: 4,
    actor_name: "mia",
    action: "decision.create",
    object_type: "moderation.content",
    object_id: "17",
    object: NO_OBJECT,
    scope: "labeling.project:9",
    before: null,
    after: { action: "remove", note: "<img src=x onerror=alert(1)>" },
    request_id: "req-1",
    ...overrides,
  };
}

const policyUpdate = event(2, {
  actor_name: "",
  action: "policy.update",
  object_type: "moderation.policy",
  object_id: "3",
  object: { ...NO_OBJECT, state: "present", label: "Community rules", page: "policy", policy_id: 3 },
  before: { automation_level: "assist", canary_share: 0.1 },
  after: { automation_level: "partial", canary_share: 0.2 },
});

/** The page as the route holds it: the query in state, as the address bar would. */
function Harness({ initial = EMPTY_AUDIT_QUERY, onChange }: { initial?: AuditQuery; onChange?: (q: AuditQuery) => void }) {
  const [query, setQuery] = useState(initial);
  return (
    <AuditLog
      query={query}
      onQueryChange={(next) => {
        onChange?.(next);
        setQuery(next);
      }}
    />
  );
}

function at(list: readonly unknown[], index: number): HTMLElement {
  const found = list[index];
  if (!(found instanceof HTMLElement)) throw new Error(`no element ${index}`);
  return found;
}

function serve(events: AuditEvent[]) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(page(events)));
}

function lastQuery(fetchMock: ReturnType<typeof serve>) {
  const url = new URL(String(fetchMock.mock.calls.at(-1)?.[0]), "http://localhost");
  return { path: url.pathname, params: Object.fromEntries(url.searchParams) };
}

describe("AuditLog", () => {
  it("shows one line per event — time, actor, action, object link, summary — without raw JSON or edit controls", async () => {
    serve([policyUpdate, event(1)]);
    renderWithProviders(<Harness />);

    const rows = await screen.findAllByTestId("audit-row");
    expect(rows.map((row) => row.getAttribute("data-action"))).toEqual(["policy.update", "decision.create"]);
    expect(rows[0]).toHaveTextContent("system");
    expect(within(at(rows, 0)).getByTestId("audit-summary")).toHaveTextContent(
      "automation_level: assist → partial; canary_share: 0.1 → 0.2",
    );
    const link = within(at(rows, 0)).getByRole("link", { name: "Community rules" });
    expect(link).toHaveAttribute("href", "/moderation/policies/3");
    expect(screen.queryByText(/"note"/)).toBeNull();
    expect(screen.queryByTestId("audit-diff")).toBeNull();
    expect(screen.getByTestId("audit-count")).toHaveTextContent("2 events");
    expect(screen.queryByRole("button", { name: /delete|edit/i })).toBeNull();
  });

  it("expands an event into a field-by-field diff, values shown as text", async () => {
    const user = userEvent.setup();
    serve([policyUpdate, event(1)]);
    renderWithProviders(<Harness />);
    const rows = await screen.findAllByTestId("audit-row");

    await user.click(within(at(rows, 1)).getByTestId("audit-expand"));

    const diff = screen.getByTestId("audit-diff");
    const note = at([within(diff).getByText("note", { exact: false }).closest("tr")], 0);
    expect(note).toHaveAttribute("data-change", "added");
    expect(note).toHaveTextContent("<img src=x onerror=alert(1)>");
    expect(document.querySelector("img")).toBeNull();
    expect(within(at(rows, 1)).getByTestId("audit-expand")).toHaveAttribute("aria-expanded", "true");

    await user.click(within(at(rows, 0)).getByTestId("audit-expand"));
    const diffs = screen.getAllByTestId("audit-diff");
    const level = at([within(at(diffs, 0)).getByText("automation_level").closest("tr")], 0);
    expect(level).toHaveAttribute("data-change", "changed");
    expect(within(level).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["assist", "partial"]);
  });

  it("says when an object was deleted, and shows type and id of objects without a page", async () => {
    serve([
      event(3, { object_type: "labeling.project", object_id: "12", object: { ...NO_OBJECT, state: "deleted" } }),
      event(2, { object_type: "elsewhere.thing", object_id: "5" }),
      event(1, {
        object_type: "moderation.author",
        object_id: "8",
        object: { ...NO_OBJECT, state: "present", label: "Chatter author u-9" },
      }),
    ]);
    renderWithProviders(<Harness />);

    const objects = await screen.findAllByTestId("audit-object");
    expect(objects.map((object) => object.textContent?.trim())).toEqual([
      "project 12 deleted",
      "elsewhere.thing:5",
      "Chatter author u-9 author 8",
    ]);
    expect(screen.queryByTestId("audit-object-link")).toBeNull();
  });

  it("applies the filters, with whole days as instants, and the downloads carry them", async () => {
    const user = userEvent.setup();
    const fetchMock = serve([]);
    const changes: AuditQuery[] = [];
    renderWithProviders(<Harness onChange={(query) => changes.push(query)} />);
    await screen.findByTestId("audit-empty");

    await user.type(screen.getByTestId("audit-filter-action"), "appeal.");
    await user.type(screen.getByTestId("audit-filter-actor"), "sam");
    await user.type(screen.getByTestId("audit-filter-from"), "2026-01-02");
    await user.type(screen.getByTestId("audit-filter-to"), "2026-01-03");
    await user.click(screen.getByTestId("audit-apply"));

    const expected = {
      action: "appeal.",
      actor: "sam",
      since: new Date(2026, 0, 2).toISOString(),
      until: new Date(2026, 0, 4).toISOString(),
    };
    await waitFor(() => expect(lastQuery(fetchMock)).toEqual({ path: "/api/v1/audit/", params: { ...expected, page: "1" } }));
    expect(changes.at(-1)).toMatchObject({ action: "appeal.", actor: "sam", from: "2026-01-02", to: "2026-01-03", page: 1 });
    const csv = new URL(screen.getByTestId("audit-export-csv").getAttribute("href") ?? "", "http://localhost");
    expect(csv.pathname).toBe("/api/v1/audit/export/");
    expect(Object.fromEntries(csv.searchParams)).toEqual({ ...expected, format: "csv" });
    expect(screen.getByTestId("audit-export-jsonl").getAttribute("href")).toContain("format=jsonl");
  });

  it("narrows the log to what one request did, and that filter can be removed", async () => {
    const user = userEvent.setup();
    const fetchMock = serve([event(1)]);
    renderWithProviders(<Harness />);
    await user.click(await screen.findByTestId("audit-expand"));

    await user.click(screen.getByTestId("audit-narrow-request"));

    await waitFor(() => expect(lastQuery(fetchMock).params).toEqual({ request_id: "req-1", page: "1" }));
    expect(screen.getByTestId("audit-filter-request")).toHaveTextContent("req-1");
    await user.click(screen.getByRole("button", { name: "Show every request" }));
    await waitFor(() => expect(lastQuery(fetchMock).params).toEqual({ page: "1" }));
  });
});
