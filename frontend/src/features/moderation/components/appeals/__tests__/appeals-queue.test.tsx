import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page } from "../../../testing/fixtures";
import type { Appeal } from "../../../types";
import { AppealsQueue } from "../appeals-queue";

const APPEAL: Appeal = {
  id: 5,
  content_id: 17,
  external_id: "msg-17",
  policy: 3,
  content_state: "removed",
  text: "Selling my old bike, message me",
  statement: "This was a normal sale post.",
  state: "open",
  decision: {
    id: 40,
    action: "remove",
    reason_code: "SPAM-1",
    note: "",
    moderator_name: "mia",
    automated: false,
    author_action: "none",
    suspend_days: null,
    model_suggestion: {},
    time_spent_ms: 1200,
    is_final: true,
    superseded: false,
    created_at: "2026-01-01T10:00:00Z",
  },
  reviewer_name: "",
  note: "",
  created_at: "2026-01-02T10:00:00Z",
  decided_at: null,
};

function mockApi(onPost: () => Response) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    if (String(input).endsWith("/auth/csrf/")) return jsonResponse({ csrf_token: "t" });
    if (init?.method === "POST") return onPost();
    return jsonResponse(page([APPEAL]));
  });
}

describe("AppealsQueue", () => {
  it("shows the appealed decision and the author's statement, and overturns with a note", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi(() => jsonResponse({ ...APPEAL, state: "overturned" }));
    renderWithProviders(<AppealsQueue />);

    expect(await screen.findByTestId("appeal")).toHaveTextContent("Remove (SPAM-1) by mia");
    expect(screen.getByTestId("appeal-statement")).toHaveTextContent("This was a normal sale post.");
    await user.type(screen.getByLabelText(/^Note/), "A private sale is allowed");
    await user.click(screen.getByTestId("appeal-overturn"));

    await waitFor(() => {
      const post = fetchMock.mock.calls.find(([, init]) => init?.method === "POST");
      expect(String(post?.[0])).toBe("/api/v1/moderation/appeals/5/decide/");
      expect(JSON.parse(String(post?.[1]?.body))).toEqual({ outcome: "overturn", note: "A private sale is allowed" });
    });
    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/v1/moderation/appeals/?state=open&page=1");
  });

  it("decides the first open appeal from the keyboard: u or o chooses, Enter sends, c goes to the note", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi(() => jsonResponse({ ...APPEAL, state: "upheld" }));
    renderWithProviders(<AppealsQueue />);
    await screen.findByTestId("appeal");
    const posts = () => fetchMock.mock.calls.filter(([, init]) => init?.method === "POST");

    await user.keyboard("o");
    expect(screen.getByTestId("appeal-overturn")).toHaveAttribute("aria-pressed", "true");
    expect(posts()).toHaveLength(0); // one key alone never decides
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("appeal-overturn")).toHaveAttribute("aria-pressed", "false");
    await user.keyboard("c");
    expect(screen.getByLabelText(/^Note/)).toHaveFocus();
    await user.keyboard("Seen before{Escape}u");
    expect(screen.getByTestId("appeal-uphold")).toHaveAttribute("aria-pressed", "true");
    await user.keyboard("{Enter}");

    await waitFor(() => expect(posts()).toHaveLength(1));
    expect(JSON.parse(String(posts()[0]?.[1]?.body))).toEqual({ outcome: "uphold", note: "Seen before" });
  });

  it("shows the server's refusal when the original moderator tries to decide the appeal", async () => {
    const user = userEvent.setup();
    mockApi(() =>
      jsonResponse({ message: "You made the appealed decision: another moderator must review it." }, { status: 403 }),
    );
    renderWithProviders(<AppealsQueue />);

    await user.click(await screen.findByTestId("appeal-uphold"));
    expect(await screen.findByText(/another moderator must review it/)).toBeInTheDocument();
  });
});
