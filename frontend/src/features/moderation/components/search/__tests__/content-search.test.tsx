import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page, policy } from "../../../testing/fixtures";
import type { SearchRow } from "../../../types";
import { ContentSearch } from "../content-search";

function row(id: number, overrides: Partial<SearchRow> = {}): SearchRow {
  return {
    id,
    external_id: `post-${id}`,
    policy: 3,
    policy_name: "Messaging",
    category: "spam",
    state: "pending",
    tier: "standard",
    text: `cheap watches number ${id}`,
    has_image: false,
    blurred_thumbnail_url: null,
    author_id: 9,
    author_external_id: "u-9",
    model_score: 0.8,
    report_count: 0,
    decision_action: null,
    decision_automated: null,
    decision_by: null,
    appeal_state: null,
    created_at: "2026-03-01T10:00:00Z",
    decided_at: null,
    ...overrides,
  };
}

function mockApi() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    if (url.pathname.endsWith("/moderation/policies/")) return jsonResponse(page([policy()]));
    if (url.pathname.endsWith("/moderation/bulk-actions/") && init?.method === "POST") {
      return jsonResponse({ id: 41, kind: "remove", state: "queued", total: 120, done_count: 0, unchanged_count: 0, failed_count: 0, failures: [] }, { status: 202 });
    }
    if (url.pathname.endsWith("/moderation/bulk-actions/41/")) {
      return jsonResponse({ id: 41, kind: "remove", state: "succeeded", total: 120, done_count: 119, unchanged_count: 0, failed_count: 1, failures: [{ content: 7, message: "Removed content is allowed again only through an appeal." }] });
    }
    return jsonResponse({ results: [row(1), row(2)], next_cursor: "abc", total: 120, total_capped: false, cap: 5000 });
  });
}

describe("ContentSearch", () => {
  it("asks for a search first, then lists results with a link to each author", async () => {
    const user = userEvent.setup();
    mockApi();
    renderWithProviders(<ContentSearch />);
    expect(screen.getByTestId("search-start")).toBeInTheDocument();
    await user.type(screen.getByTestId("search-q"), "watches");
    await user.click(screen.getByTestId("search-submit"));
    const rows = await screen.findAllByTestId("search-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0] as HTMLElement).getByTestId("search-author-link")).toHaveAttribute("href", "/moderation/authors/9");
    expect(screen.getByTestId("search-total")).toHaveTextContent("120 matches");
  });

  it("selects all matching, confirms the count and sends the filters with it, then shows the outcome", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<ContentSearch />);
    await user.type(screen.getByTestId("search-q"), "watches");
    await user.click(screen.getByTestId("search-submit"));
    await screen.findAllByTestId("search-row");

    await user.click(screen.getByTestId("select-page"));
    expect(screen.getByTestId("selection-count")).toHaveTextContent("2 selected");
    await user.click(screen.getByTestId("select-all-matching"));
    expect(screen.getByTestId("selection-count")).toHaveTextContent("120 selected");
    await user.click(screen.getByTestId("bulk-remove"));
    expect(screen.getByTestId("bulk-dialog-count")).toHaveTextContent("120");
    await user.click(screen.getByTestId("bulk-confirm"));

    await waitFor(() => {
      const post = fetchMock.mock.calls.find(([, init]) => init?.method === "POST");
      expect(post).toBeDefined();
      const body = JSON.parse(String(post?.[1]?.body));
      expect(body).toMatchObject({ kind: "remove", expected_count: 120, filters: { q: "watches" } });
      expect(body.content_ids).toBeUndefined();
    });
    expect(await screen.findByTestId("bulk-progress-text")).toHaveTextContent("Finished. 119 removed, 0 already so, 1 failed — 120 of 120.");
    expect(screen.getByTestId("bulk-failures")).toHaveTextContent("only through an appeal");
  });

  it("sends only the ids picked when not all matching are selected", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    renderWithProviders(<ContentSearch />);
    await user.click(screen.getByTestId("search-submit"));
    const rows = await screen.findAllByTestId("search-row");
    await user.click(within(rows[1] as HTMLElement).getByTestId("select-row"));
    await user.click(screen.getByTestId("bulk-remove"));
    await user.click(screen.getByTestId("bulk-confirm"));
    await waitFor(() => {
      const post = fetchMock.mock.calls.find(([, init]) => init?.method === "POST");
      expect(JSON.parse(String(post?.[1]?.body))).toMatchObject({ content_ids: [2], expected_count: 1 });
    });
  });
});
