import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { delivery, endpoint, page, recordedCalls } from "../../testing/fixtures";
import { WebhooksPanel } from "../webhooks-panel";

describe("WebhooksPanel", () => {
  it("shows the server's refusal of a private URL, then adds a public one and shows its secret once", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    let endpoints = [endpoint()];
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      if (init?.method === "POST") {
        const body = JSON.parse(String(init.body)) as { url: string };
        if (body.url.includes("10.0.0.8")) {
          return jsonResponse(
            { message: "10.0.0.8 resolves to 10.0.0.8, a private, loopback or link-local address; use a public URL.", extra: {} },
            { status: 400 },
          );
        }
        const created = endpoint({ id: 22, url: body.url, secret_hint: "Zx9q…" });
        endpoints = [...endpoints, created];
        return jsonResponse({ ...created, secret: "Zx9qWm4TtY7pLs2Kd8RbNv" }, { status: 201 });
      }
      return jsonResponse(page(endpoints));
    });
    renderWithProviders(<WebhooksPanel platformId={4} />);
    await screen.findByTestId("webhook-list");

    await user.type(screen.getByTestId("webhook-url"), "http://10.0.0.8/hook");
    await user.click(screen.getByTestId("webhook-create"));
    expect(await screen.findByRole("alert")).toHaveTextContent("a private, loopback or link-local address");
    expect(screen.queryByTestId("webhook-new-secret")).toBeNull();

    await user.clear(screen.getByTestId("webhook-url"));
    await user.type(screen.getByTestId("webhook-url"), "https://chat.example/hooks/tandem");
    await user.click(screen.getByTestId("webhook-create"));
    expect(await screen.findByTestId("webhook-new-secret")).toHaveValue("Zx9qWm4TtY7pLs2Kd8RbNv");
    expect(screen.getByTestId("webhook-new-secret-warning")).toHaveTextContent("you will not see it again");
    expect(screen.queryByRole("alert")).toBeNull();
    await waitFor(() => expect(screen.getAllByTestId("webhook-row")).toHaveLength(2));
    // No secret typed: none is sent, so the server makes one.
    expect(recordedCalls(fetchMock).filter((call) => call.method === "POST").at(-1)).toEqual({
      method: "POST",
      path: "/api/v1/moderation/platforms/4/webhooks/",
      body: { url: "https://chat.example/hooks/tandem" },
    });
  });

  it("opens an endpoint's delivery log, newest first with status badges and expandable attempts", async () => {
    const user = userEvent.setup();
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const path = new URL(String(input), "http://localhost").pathname;
      if (path === "/api/v1/moderation/webhooks/21/deliveries/") {
        return jsonResponse(
          page([
            delivery({
              id: 33,
              status: "pending",
              attempts: 2,
              last_status_code: 503,
              last_error: "HTTP 503",
              next_attempt_at: "2026-01-04T10:05:00Z",
              created_at: "2026-01-04T10:00:00Z",
              delivered_at: null,
              log: [
                { attempt: 1, at: "2026-01-04T10:00:00Z", status_code: null, error: "timed out", duration_ms: 5000 },
                { attempt: 2, at: "2026-01-04T10:01:00Z", status_code: 503, error: "HTTP 503", duration_ms: 12.5 },
              ],
            }),
            delivery({ id: 32, status: "failed", attempts: 0, last_status_code: null, log: [], last_error: "gave up" }),
            delivery({ id: 31 }),
          ]),
        );
      }
      return jsonResponse(page([endpoint()]));
    });
    renderWithProviders(<WebhooksPanel platformId={4} />);
    await screen.findByTestId("webhook-list");
    expect(screen.queryByTestId("delivery-log")).toBeNull();

    await user.click(screen.getByTestId("webhook-deliveries-toggle"));
    const rows = await screen.findAllByTestId("delivery-row");
    expect(rows.map((row) => row.getAttribute("data-status"))).toEqual(["pending", "failed", "delivered"]);
    const [pending, failed, delivered] = rows;
    if (!pending || !failed || !delivered) throw new Error("three delivery rows expected");
    expect(within(failed).getByTestId("delivery-status")).toHaveClass("badge-failed");
    expect(within(failed).getByTestId("delivery-status")).toHaveTextContent("failed (gave up)");
    expect(within(delivered).getByTestId("delivery-status")).toHaveClass("badge-delivered");

    const attempts = within(pending).getByTestId("delivery-attempts");
    expect(attempts).not.toHaveAttribute("open");
    await user.click(within(attempts).getByText(/2 attempts/));
    expect(attempts).toHaveAttribute("open");
    const lines = within(attempts).getAllByTestId("delivery-attempt");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveTextContent("timed out");
    expect(lines[0]).toHaveTextContent("5000 ms");
    expect(lines[1]).toHaveTextContent("503");
    expect(lines[1]).toHaveTextContent("12.5 ms");
    expect(recordedCalls(fetchMock).map((call) => call.path)).toContain("/api/v1/moderation/webhooks/21/deliveries/");
  });
});
