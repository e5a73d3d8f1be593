import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { AdjudicationItem, Dashboard, DashboardProject, Flag } from "../../types";
import { ProjectDashboard } from "../project-dashboard";

const PROJECT: DashboardProject = {
  id: 3,
  task_type: "binary",
  annotations_per_item: 2,
  label_classes: [
    { id: 1, name: "ham", colour: "#1f77b4", hotkey: "1", order: 0 },
    { id: 2, name: "spam", colour: "#d62728", hotkey: "2", order: 1 },
  ],
};

const DASHBOARD: Dashboard = {
  queue: { total_items: 1000, open_items: 700, done_items: 250, leased_items: 50, audit_items: 10 },
  label_distribution: [
    { label: "ham", count: 300 },
    { label: "spam", count: 100 },
  ],
  annotators: [
    { user_id: 1, username: "ann", done_today: 40, done_total: 120, rate_per_hour: 80, acceptance_rate: 0.8, kappa: 0.71 },
    { user_id: 2, username: "bob", done_today: 10, done_total: 280, rate_per_hour: 4.5, acceptance_rate: null, kappa: null },
  ],
  acceptance_over_time: [
    { date: "2024-05-01", accepted: 6, corrected: 4, no_suggestion: 2, acceptance_rate: 0.6 },
    { date: "2024-05-02", accepted: 0, corrected: 0, no_suggestion: 5, acceptance_rate: null },
    { date: "2024-05-03", accepted: 9, corrected: 1, no_suggestion: 0, acceptance_rate: 0.9 },
  ],
  throughput: [
    { date: "2024-05-01", annotations: 12 },
    { date: "2024-05-02", annotations: 5 },
    { date: "2024-05-03", annotations: 10 },
  ],
  agreement: {
    items_compared: 80,
    annotators: 2,
    percent_agreement: 0.875,
    cohen_kappa: 0.74,
    fleiss_kappa: 0.73,
    krippendorff_alpha: 0.74,
  },
};

const DISPUTE: AdjudicationItem = {
  item: { id: 9, external_id: "msg-9", text: "<i>Free</i> tickets\ncall now", image_url: null, thumbnail_url: null, media_restricted: false },
  annotations: [
    { username: "ann", labels: ["spam"], created_at: "2024-05-01T10:00:00Z" },
    { username: "bob", labels: ["ham"], created_at: "2024-05-01T11:00:00Z" },
  ],
  gold: null,
};

const FLAG: Flag = {
  id: 4,
  item: 9,
  item_external_id: "msg-9",
  user: "ann",
  reason: "Not English",
  created_at: "2024-05-01T10:00:00Z",
  resolved_at: null,
  resolved_by: null,
};

const SKIPS = [
  { id: 7, item: 11, item_external_id: "msg-11", user: "ann", reason: "<b>Not readable</b>", skipped_at: "2024-05-01T11:00:00Z" },
  { id: 6, item: 10, item_external_id: "msg-10", user: "bob", reason: "", skipped_at: "2024-05-01T10:30:00Z" },
];

function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

function fakeApi() {
  let flags = [FLAG];
  const posts: { path: string; body: unknown }[] = [];
  document.cookie = "csrftoken=test-csrf-token; path=/";
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input), "http://localhost");
    const path = url.pathname.replace("/api/v1/projects/3/", "");
    if (init?.method === "POST") {
      const body = init.body ? (JSON.parse(String(init.body)) as unknown) : undefined;
      posts.push({ path, body });
      if (path === "flags/4/resolve/") {
        flags = [];
        return jsonResponse({ ...FLAG, resolved_at: "2024-05-02T10:00:00Z", resolved_by: "ada" });
      }
      if (path === "adjudication/9/") {
        return jsonResponse({ ...DISPUTE, gold: { labels: ["spam"], resolved_by: "ada", note: "", updated_at: "2024-05-02T10:00:00Z" } });
      }
    }
    if (path === "dashboard/") return jsonResponse(DASHBOARD);
    if (path === "adjudication/") return jsonResponse(page(url.searchParams.get("state") === "open" ? [DISPUTE] : []));
    if (path === "flags/") return jsonResponse(page(url.searchParams.get("resolved") === "false" ? flags : []));
    if (path === "skips/") return jsonResponse(page(SKIPS));
    return jsonResponse({ message: `Unexpected ${path}` }, { status: 500 });
  });
  return { posts };
}

describe("ProjectDashboard", () => {
  it("shows the queue, the annotators, the labels, agreement and acceptance over time", async () => {
    fakeApi();
    renderWithProviders(<ProjectDashboard project={PROJECT} />);

    expect(await screen.findByTestId("queue-total")).toHaveTextContent("1,000");
    expect(screen.getByTestId("queue-open")).toHaveTextContent("700");
    expect(screen.getByTestId("queue-leased")).toHaveTextContent("50");

    const rows = within(screen.getByTestId("annotators-table")).getAllByTestId("annotator-row");
    expect(rows.map((row) => Array.from(row.children).map((cell) => cell.textContent))).toEqual([
      ["bob", "10", "280", "4.5/h", "—", "—"],
      ["ann", "40", "120", "80/h", "80.0%", "0.71"],
    ]);

    expect(screen.getByTestId("agreement-percent")).toHaveTextContent("87.5%");
    expect(screen.getByTestId("agreement-cohen")).toHaveTextContent("0.74");
    const distribution = screen.getAllByTestId("label-distribution-row");
    expect(distribution.map((row) => row.textContent)).toEqual(["ham300 (75%)", "spam100 (25%)"]);

    // Two days had proposals answered; the day without any is not drawn as 0%.
    const points = screen.getAllByTestId("acceptance-point");
    expect(points.map((point) => point.getAttribute("data-date"))).toEqual(["2024-05-01", "2024-05-03"]);
    expect(screen.getByRole("img", { name: /Proposals accepted per day/ })).toHaveAccessibleName(
      expect.stringContaining("went from 60.0% on May 1 to 90.0% on May 3"),
    );
    expect(screen.getAllByTestId("throughput-bar")).toHaveLength(3);
  });

  it("resolves a disagreement with the chosen gold label and a note", async () => {
    const user = userEvent.setup();
    const { posts } = fakeApi();
    renderWithProviders(<ProjectDashboard project={PROJECT} />);

    const dispute = await screen.findByTestId("adjudication-item");
    // The item text is shown as text, line breaks kept.
    expect(within(dispute).getByText(/tickets/).textContent).toBe("<i>Free</i> tickets\ncall now");
    expect(within(dispute).getByRole("row", { name: /ann spam/ })).toBeInTheDocument();
    const resolve = within(dispute).getByRole("button", { name: "Resolve" });
    expect(resolve).toBeDisabled();

    await user.click(within(dispute).getByRole("radio", { name: "spam" }));
    await user.type(within(dispute).getByLabelText("Note (optional)"), "Sells tickets");
    await user.click(resolve);

    await waitFor(() => expect(posts).toEqual([{ path: "adjudication/9/", body: { labels: ["spam"], note: "Sells tickets" } }]));
  });

  it("lists open flags and resolves one", async () => {
    const user = userEvent.setup();
    const { posts } = fakeApi();
    renderWithProviders(<ProjectDashboard project={PROJECT} />);

    const row = await screen.findByTestId("flag-row");
    expect(row).toHaveTextContent("msg-9annNot English");
    await user.click(within(row).getByRole("button", { name: "Resolve" }));

    expect(await screen.findByTestId("flags-empty")).toHaveTextContent("No open flags.");
    expect(posts).toEqual([{ path: "flags/4/resolve/", body: {} }]);
  });

  it("lists skipped items with the reason as plain text, or says none was given", async () => {
    fakeApi();
    renderWithProviders(<ProjectDashboard project={PROJECT} />);

    const rows = await screen.findAllByTestId("skip-row");
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining("msg-11ann<b>Not readable</b>"),
      expect.stringContaining("msg-10bobNo reason given"),
    ]);
    expect(within(rows[0] as HTMLElement).queryByText("Not readable", { selector: "b" })).toBeNull();
  });

  it("explains why there is no agreement with one annotation per item", async () => {
    fakeApi();
    vi.mocked(globalThis.fetch).mockImplementation(async (input) => {
      const path = new URL(String(input), "http://localhost").pathname;
      if (path.endsWith("/dashboard/")) {
        return jsonResponse({ ...DASHBOARD, agreement: { ...DASHBOARD.agreement, items_compared: 0 } });
      }
      return jsonResponse(page([]));
    });
    renderWithProviders(<ProjectDashboard project={{ ...PROJECT, annotations_per_item: 1 }} />);

    expect(await screen.findByTestId("agreement-empty")).toHaveTextContent("annotations per item is 1");
  });
});
