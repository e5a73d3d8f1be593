import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { labelQuality, suspectLabel } from "../../testing/fixtures";
import { LabelErrorRates } from "../label-error-rates";
import { SuspectLabels } from "../suspect-labels";

type Route = (url: string, init?: RequestInit) => Response | undefined;

function mockApi(route: Route) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    const answer = route(url, init);
    if (answer) return answer;
    if (url.includes("/label-quality/")) return jsonResponse(labelQuality());
    throw new Error(`unexpected request ${url}`);
  });
}

const page = (results: ReturnType<typeof suspectLabel>[]) =>
  jsonResponse({ count: results.length, next: null, previous: null, results });

describe("SuspectLabels", () => {
  it("lists suspects with the given and likely label, item text as text", async () => {
    mockApi((url) =>
      url.includes("/suspect-labels/")
        ? page([suspectLabel({ text: '<img src=x onerror="alert(1)">' }), suspectLabel({ id: 2, rank: 2 })])
        : undefined,
    );
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    const rows = await screen.findAllByTestId("suspect-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0] as HTMLElement).getByText('<img src=x onerror="alert(1)">')).toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
    expect(within(rows[0] as HTMLElement).getByText("ham")).toBeInTheDocument();
    expect(within(rows[0] as HTMLElement).getByText("spam")).toBeInTheDocument();
    expect(screen.getByTestId("suspects-summary")).toHaveTextContent("30 of 400 people's labels look wrong");
    expect(screen.getByTestId("suspects-summary")).toHaveTextContent("6.3%");
  });

  it("sends the selected suspects for a second opinion", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = mockApi((url, init) => {
      if (url.includes("/second-opinion/") && init?.method === "POST") {
        return jsonResponse({ sent: 1, suspects: [suspectLabel({ id: 2, status: "sent" })] });
      }
      if (url.includes("/suspect-labels/")) return page([suspectLabel(), suspectLabel({ id: 2, rank: 2 })]);
      return undefined;
    });
    const user = userEvent.setup();
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    const boxes = await screen.findAllByTestId("suspect-select");
    expect(screen.getByTestId("suspects-send")).toBeDisabled();
    await user.click(boxes[1] as HTMLElement);
    await user.click(screen.getByTestId("suspects-send"));

    expect(await screen.findByTestId("suspects-sent")).toHaveTextContent("Sent 1 for a second opinion");
    const call = fetchMock.mock.calls.find(([url]) => String(url).includes("/second-opinion/"));
    expect(String(call?.[0])).toBe("/api/v1/projects/4/suspect-labels/second-opinion/");
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ suspects: [2] });
  });

  it("selects every unreviewed suspect on the page at once", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = mockApi((url, init) => {
      if (url.includes("/second-opinion/") && init?.method === "POST") {
        return jsonResponse({ sent: 2, suspects: [] });
      }
      if (url.includes("/suspect-labels/")) {
        return page([suspectLabel(), suspectLabel({ id: 2, rank: 2 }), suspectLabel({ id: 3, rank: 3, status: "sent" })]);
      }
      return undefined;
    });
    const user = userEvent.setup();
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    await user.click(await screen.findByTestId("suspects-select-all"));
    await user.click(screen.getByTestId("suspects-send"));

    await waitFor(() =>
      expect(fetchMock.mock.calls.some(([url]) => String(url).includes("/second-opinion/"))).toBe(true),
    );
    const call = fetchMock.mock.calls.find(([url]) => String(url).includes("/second-opinion/"));
    expect(JSON.parse(String(call?.[1]?.body))).toEqual({ suspects: [1, 2] });
  });

  it("shows the outcome of a second opinion", async () => {
    mockApi((url) =>
      url.includes("/suspect-labels/")
        ? page([suspectLabel({ status: "corrected", review_labels: ["spam"], reviewer: "carol" })])
        : undefined,
    );
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    expect(await screen.findByTestId("suspect-outcome")).toHaveTextContent("Corrected: spam by carol");
  });

  it("shows members the list without run, select or send controls", async () => {
    mockApi((url) => (url.includes("/suspect-labels/") ? page([suspectLabel({ status: "sent", given_label: null, suggested_label: null })]) : undefined));
    renderWithProviders(<SuspectLabels projectId={4} canSend={false} />);

    const row = await screen.findByTestId("suspect-row");
    expect(within(row).getAllByText("hidden")).toHaveLength(2);
    expect(screen.queryByTestId("suspects-run")).toBeNull();
    expect(screen.queryByTestId("suspect-select")).toBeNull();
    expect(screen.queryByTestId("suspects-send")).toBeNull();
  });

  it("says what to do when there are no suspects", async () => {
    mockApi((url) => (url.includes("/suspect-labels/") ? page([]) : undefined));
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    expect(await screen.findByTestId("suspects-empty")).toHaveTextContent("Find suspect labels");
  });

  it("starts a job and shows the server's refusal", async () => {
    document.cookie = "csrftoken=tok";
    mockApi((url, init) => {
      if (url.includes("/run/") && init?.method === "POST") {
        return jsonResponse({ message: "Your role in this project does not allow this.", extra: {} }, { status: 403 });
      }
      if (url.includes("/suspect-labels/")) return page([]);
      return undefined;
    });
    const user = userEvent.setup();
    renderWithProviders(<SuspectLabels projectId={4} canSend />);

    await user.click(await screen.findByTestId("suspects-run"));

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not start finding suspect labels");
  });
});

describe("LabelErrorRates", () => {
  it("shows the error rate per class and per annotator with support", async () => {
    mockApi(() => undefined);
    renderWithProviders(<LabelErrorRates projectId={4} />);

    const classes = await screen.findByTestId("label-error-rates-classes");
    expect(within(classes).getByText("spam").closest("tr")).toHaveTextContent("spam1001813.0%");
    const people = screen.getByTestId("label-error-rates-annotators");
    expect(within(people).getByText("bob").closest("tr")).toHaveTextContent("bob2002412.0%");
  });

  it("says how to measure when nothing was measured", async () => {
    mockApi((url) =>
      url.includes("/label-quality/")
        ? jsonResponse(labelQuality({ job: null, per_class: [], per_annotator: [], judged: null }))
        : undefined,
    );
    renderWithProviders(<LabelErrorRates projectId={4} />);

    expect(await screen.findByTestId("label-error-rates-empty")).toHaveTextContent("Not measured yet");
  });
});
