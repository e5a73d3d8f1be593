import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page, policy, queueRow } from "../../../testing/fixtures";
import { ModerationQueue } from "../moderation-queue";

function mockApi() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL(String(input), "http://localhost");
    if (url.pathname.endsWith("/moderation/policies/")) return jsonResponse(page([policy()]));
    const now = Date.now();
    return jsonResponse(
      page([
        queueRow(1, {
          text: "WINNER!! Claim your prize\nsecond line",
          sla_due_at: new Date(now - 90 * 60_000).toISOString(),
          overdue: true,
          report_count: 3,
        }),
        queueRow(2, { sla_due_at: new Date(now + 2 * 3600_000 + 5 * 60_000).toISOString() }),
      ]),
    );
  });
}

describe("ModerationQueue", () => {
  it("lists open content with live SLA countdowns, red once overdue", async () => {
    mockApi();
    renderWithProviders(<ModerationQueue onStartReviewing={() => undefined} />);

    const rows = await screen.findAllByTestId("queue-row");
    expect(rows[0]).toHaveTextContent("WINNER!! Claim your prize");
    expect(rows[0]).not.toHaveTextContent("second line");
    const overdue = within(rows[0] as HTMLElement).getByTestId("sla-countdown");
    expect(overdue).toHaveAttribute("data-overdue", "1");
    expect(overdue).toHaveClass("sla-overdue");
    expect(overdue.textContent).toMatch(/^overdue by 1h 3\dm$/);
    const onTime = within(rows[1] as HTMLElement).getByTestId("sla-countdown");
    expect(onTime).toHaveAttribute("data-overdue", "0");
    expect(onTime.textContent).toMatch(/^2h 0[45]m left$/);
  });

  it("filters by policy, category, state and tier, and starts reviewing with them", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    const start = vi.fn();
    renderWithProviders(<ModerationQueue onStartReviewing={start} />);
    await screen.findAllByTestId("queue-row");

    await user.selectOptions(screen.getByTestId("queue-filter-policy"), "3");
    await user.selectOptions(screen.getByTestId("queue-filter-category"), "1");
    await user.selectOptions(screen.getByTestId("queue-filter-state"), "escalated");
    await user.selectOptions(screen.getByTestId("queue-filter-tier"), "senior");

    await waitFor(() => {
      const last = new URL(String(fetchMock.mock.calls.at(-1)?.[0]), "http://localhost");
      expect(Object.fromEntries(last.searchParams)).toEqual({
        policy: "3",
        category: "1",
        state: "escalated",
        tier: "senior",
        page: "1",
      });
    });
    await user.click(screen.getByTestId("start-reviewing"));
    expect(start).toHaveBeenCalledWith({ tier: "senior", policy: 3, category: 1 });
  });
});
