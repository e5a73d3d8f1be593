import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { QueuePicker, waitedFor } from "../queue-picker";

const HOUR = 3_600_000;

function stats(overrides: Record<string, unknown>) {
  return {
    id: 1, policy: 3, policy_name: "Community rules", name: "Default", description: "", kind: "default",
    restricted: false, depth: 0, oldest_created_at: null, sla_at_risk: 0, overdue: 0, sla_warning_minutes: 60,
    ...overrides,
  };
}

const QUEUES = [
  stats({ id: 1, name: "Default", depth: 4, oldest_created_at: new Date(Date.now() - 3 * HOUR).toISOString() }),
  stats({ id: 2, name: "Spanish", kind: "custom", depth: 2, sla_at_risk: 1,
          oldest_created_at: new Date(Date.now() - 2 * HOUR).toISOString() }),
  stats({ id: 3, name: "Graphic", kind: "custom", restricted: true, depth: 1 }),
  stats({ id: 4, name: "Appeals", kind: "appeals", depth: 5 }),
];

describe("QueuePicker", () => {
  it("offers the queues one may work with their figures, and works the chosen one", async () => {
    const user = userEvent.setup();
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(QUEUES));
    const onChange = vi.fn();
    renderWithProviders(<QueuePicker tier="standard" value={undefined} onChange={onChange} />);

    const select = await screen.findByTestId("queue-picker-select");
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(4));
    expect(within(select).getByRole("option", { name: "Spanish — 2 waiting, 1 SLA at risk" })).toBeInTheDocument();
    expect(within(select).getByRole("option", { name: "Graphic (restricted) — 1 waiting" })).toBeInTheDocument();
    // Appeals are decided on the appeals page, not leased here.
    expect(within(select).queryByRole("option", { name: /Appeals/ })).not.toBeInTheDocument();
    expect(screen.getByTestId("queue-picker-figures")).toHaveTextContent("7 waiting · 1 SLA at risk");
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe("/api/v1/moderation/queues/?tier=standard");

    await user.selectOptions(select, "2");
    expect(onChange).toHaveBeenCalledWith(2);
  });

  it("shows the chosen queue's depth, oldest item and SLA at risk", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(QUEUES));
    renderWithProviders(<QueuePicker tier="standard" value={2} onChange={vi.fn()} />);
    expect(await screen.findByText("2 waiting · oldest 2 h · 1 SLA at risk")).toBeInTheDocument();
  });
});

describe("waitedFor", () => {
  it("says minutes, hours or days", () => {
    const now = Date.parse("2026-12-06T12:00:00Z");
    expect(waitedFor(null, now)).toBe("—");
    expect(waitedFor("2026-12-06T11:48:00Z", now)).toBe("12 min");
    expect(waitedFor("2026-12-06T09:00:00Z", now)).toBe("3 h");
    expect(waitedFor("2026-12-03T12:00:00Z", now)).toBe("3 d");
  });
});
