import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page, snapshot, snapshotExport } from "../../testing/fixtures";
import { SnapshotList } from "../snapshot-list";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FORMATS = ["jsonl", "csv", "parquet", "hf"] as const;

describe("SnapshotList", () => {
  it("says what to do when there is no snapshot yet", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(page([])));

    renderWithProviders(<SnapshotList projectId={1} formats={[...FORMATS]} />);

    expect(await screen.findByTestId("snapshots-empty")).toHaveTextContent("Cut your first snapshot");
  });

  it("moves the progress bar while a snapshot is cut, then shows its counts and stops polling", async () => {
    const states = [
      snapshot({ state: "queued", progress: 0, rows_total: 0, rows_done: 0, counts: {} }),
      snapshot({ state: "running", progress: 0.4, rows_total: 100, rows_done: 40, counts: {} }),
      snapshot({ state: "succeeded", model_versions: [{ id: 5, version: 4, stage: "production" }] }),
    ];
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse(page([states.length > 1 ? states.shift() : states[0]])));

    renderWithProviders(<SnapshotList projectId={1} formats={[...FORMATS]} />);

    expect(await screen.findByTestId("snapshot-state")).toHaveAttribute("data-state", "queued");
    expect(screen.getByTestId("snapshot-progress")).toHaveAttribute("value", "0");
    await waitFor(() => expect(screen.getByTestId("snapshot-state")).toHaveAttribute("data-state", "running"), {
      timeout: 3000,
    });
    expect(screen.getByTestId("snapshot-progress")).toHaveAttribute("value", "0.4");
    expect(screen.getByText("40 of 100 items")).toBeInTheDocument();

    await waitFor(() => expect(screen.getByTestId("snapshot-state")).toHaveAttribute("data-state", "succeeded"), {
      timeout: 3000,
    });
    expect(screen.queryByTestId("snapshot-progress")).not.toBeInTheDocument();
    expect(screen.getByTestId("count-items")).toHaveTextContent("100");
    expect(screen.getByTestId("count-splits")).toHaveTextContent("train 80 · dev 10 · test 10");
    expect(screen.getByTestId("snapshot-trained-version")).toHaveTextContent("v4");
    expect(screen.getByTestId("snapshot-filters")).toHaveTextContent("people's labels · labeled only");

    const callsWhenDone = fetchMock.mock.calls.length;
    await sleep(1300);
    expect(fetchMock.mock.calls.length).toBe(callsWhenDone);
    expect(fetchMock.mock.calls.every(([url]) => String(url) === "/api/v1/projects/1/snapshots/?page=1")).toBe(true);
  });

  it("prepares a format, shows its progress, then a download link; a failed one says why and retries", async () => {
    const lists = [
      [snapshot({ exports: [snapshotExport({ format: "csv", state: "failed", error_message: "Disk full." })] })],
      [
        snapshot({
          exports: [
            snapshotExport({ format: "csv", state: "failed", error_message: "Disk full." }),
            snapshotExport({ format: "parquet", state: "running", progress: 0.5 }),
          ],
        }),
      ],
      [
        snapshot({
          exports: [
            snapshotExport({ format: "csv", state: "queued" }),
            snapshotExport({
              format: "parquet",
              state: "succeeded",
              progress: 1,
              size_bytes: 2048,
              file_name: "spam-snapshot-1.zip",
              download_url: "/api/v1/projects/1/snapshots/1/exports/parquet/download/",
            }),
          ],
        }),
      ],
    ];
    const posts: { url: string; body: unknown }[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = String(input);
      if (init?.method === "POST") {
        posts.push({ url, body: JSON.parse(String(init.body)) });
        return jsonResponse(snapshotExport({ format: "parquet" }), { status: 202 });
      }
      // Once something was asked for, each poll moves on to the next state.
      if (posts.length > 0 && lists.length > 1) lists.shift();
      return jsonResponse(page(lists[0] ?? []));
    });
    document.cookie = "csrftoken=token";
    const user = userEvent.setup();

    renderWithProviders(<SnapshotList projectId={1} formats={[...FORMATS]} />);

    const csv = await screen.findByTestId("snapshot-export-csv");
    expect(within(csv).getByTestId("export-error")).toHaveTextContent("Failed: Disk full.");
    const parquet = screen.getByTestId("snapshot-export-parquet");
    await user.click(within(parquet).getByRole("button", { name: "Prepare Parquet of snapshot 1" }));
    expect(posts[0]).toEqual({ url: "/api/v1/projects/1/snapshots/1/exports/", body: { format: "parquet" } });

    expect(await within(screen.getByTestId("snapshot-export-parquet")).findByTestId("export-progress")).toHaveAttribute(
      "value",
      "0.5",
    );
    const link = await within(screen.getByTestId("snapshot-export-parquet")).findByRole(
      "link",
      { name: "Download Parquet of snapshot 1" },
      { timeout: 3000 },
    );
    expect(link).toHaveAttribute("href", "/api/v1/projects/1/snapshots/1/exports/parquet/download/");
    expect(link).toHaveTextContent("Download (2.0 KB)");

    // Retry of the failed CSV asks for it again.
    lists.splice(0, lists.length, [
      snapshot({ exports: [snapshotExport({ format: "csv", state: "failed", error_message: "Disk full." })] }),
    ]);
    await user.click(await screen.findByRole("button", { name: "Retry CSV of snapshot 1" }, { timeout: 3000 }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).toEqual({ url: "/api/v1/projects/1/snapshots/1/exports/", body: { format: "csv" } });
  });

  it("pages through more snapshots than fit on a page", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const pageNumber = Number(new URL(String(input), "http://test").searchParams.get("page"));
      const number = pageNumber === 1 ? 60 : 10;
      return jsonResponse({ ...page([snapshot({ id: number, number })]), count: 60 });
    });
    const user = userEvent.setup();
    let current = 1;
    const { rerender } = renderWithProviders(
      <SnapshotList projectId={1} formats={[...FORMATS]} page={current} onPageChange={(next) => (current = next)} />,
    );

    expect(await screen.findByRole("heading", { name: "Snapshot #60" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(current).toBe(2);
    rerender(<SnapshotList projectId={1} formats={[...FORMATS]} page={current} onPageChange={(next) => (current = next)} />);
    expect(await screen.findByRole("heading", { name: "Snapshot #10" })).toBeInTheDocument();
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe("/api/v1/projects/1/snapshots/?page=2");
  });
});
