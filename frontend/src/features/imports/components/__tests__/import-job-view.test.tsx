import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import type { ImportJob } from "../../types";
import { ImportHistory } from "../import-history";
import { ImportJobView } from "../import-job-view";

function job(overrides: Partial<ImportJob>): ImportJob {
  return {
    id: 5,
    original_name: "sms.tsv",
    file_url: null,
    format: "csv",
    options: {},
    status: "queued",
    total_bytes: 1000,
    processed_bytes: 0,
    rows_seen: 0,
    items_created: 0,
    items_existing: 0,
    duplicate_rows: 0,
    annotations_created: 0,
    error_count: 0,
    error_message: "",
    attempts: 1,
    started_at: null,
    finished_at: null,
    progress: 0,
    errors: [],
    unknown_labels: [],
    skipped: {},
    created_by: "alice",
    created_at: "2024-01-01T00:00:00Z",
    ...overrides,
  };
}

describe("ImportJobView", () => {
  it("refreshes the earlier imports once the live box says the import has finished", async () => {
    let detailCalls = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = String(input);
      if (url.includes("/imports/5/")) {
        detailCalls += 1;
        return jsonResponse(
          detailCalls === 1
            ? job({ status: "running", progress: 0.5 })
            : job({ status: "succeeded", progress: 1, rows_seen: 12, items_created: 12 }),
        );
      }
      // The list as the server has it now: running until the job's second poll.
      const listed = detailCalls < 2 ? job({ status: "running" }) : job({ status: "succeeded", rows_seen: 12 });
      return jsonResponse({ count: 1, next: null, previous: null, results: [listed] });
    });

    renderWithProviders(
      <>
        <ImportJobView projectId={1} importId={5} />
        <ImportHistory projectId={1} jobHref={(id) => `/projects/1/import?job=${id}`} />
      </>,
    );

    const history = await screen.findByTestId("import-history");
    expect(history).toHaveTextContent("Running");
    await waitFor(() => expect(screen.getByTestId("import-status")).toHaveAttribute("data-status", "succeeded"), {
      timeout: 3000,
    });
    await waitFor(() => expect(screen.getByTestId("import-history")).toHaveTextContent("Succeeded"));
    expect(screen.getByTestId("import-history")).not.toHaveTextContent("Running");
  });

  it("polls the job, moving the progress bar, until it has succeeded, then reports once", async () => {
    const states = [
      job({ status: "running", progress: 0.4, rows_seen: 2000 }),
      job({ status: "succeeded", progress: 1, rows_seen: 5574, items_created: 5574, error_count: 0 }),
    ];
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse(states.length > 1 ? states.shift() : states[0]));
    const onFinished = vi.fn();

    renderWithProviders(<ImportJobView projectId={1} importId={5} onFinished={onFinished} />);

    expect(await screen.findByTestId("import-status")).toHaveAttribute("data-status", "running");
    expect(screen.getByTestId("import-progress")).toHaveAttribute("value", "0.4");
    expect(screen.queryByTestId("import-rows-seen")).not.toBeInTheDocument();

    await waitFor(() => expect(screen.getByTestId("import-status")).toHaveAttribute("data-status", "succeeded"), {
      timeout: 3000,
    });
    expect(screen.getByTestId("import-progress")).toHaveAttribute("value", "1");
    expect(screen.getByTestId("import-rows-seen")).toHaveTextContent("5,574");
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls.every(([url]) => String(url) === "/api/v1/projects/1/imports/5/")).toBe(true);
  });

  it("offers a retry for a failed import and shows why it failed", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(job({ status: "failed", error_message: "The file is not UTF-8." })),
    );

    renderWithProviders(<ImportJobView projectId={1} importId={5} />);

    expect(await screen.findByTestId("import-error-message")).toHaveTextContent("The file is not UTF-8.");
    expect(screen.getByTestId("import-retry")).toBeEnabled();
  });
});
