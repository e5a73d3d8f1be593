import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { snapshot, snapshotDiff } from "../../testing/fixtures";
import { SnapshotDiff } from "../snapshot-diff";

describe("SnapshotDiff", () => {
  it("compares the newest snapshot with the one before, then the pair picked", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = new URL(String(input), "http://test");
      const a = Number(url.searchParams.get("a"));
      const b = Number(url.searchParams.get("b"));
      return jsonResponse(snapshotDiff({ a: { number: a, items: 100 }, b: { number: b, items: 110 } }));
    });
    const user = userEvent.setup();
    const snapshots = [
      snapshot({ id: 3, number: 3, name: "after review" }),
      snapshot({ id: 2, number: 2 }),
      snapshot({ id: 1, number: 1, state: "failed" }),
    ];

    renderWithProviders(<SnapshotDiff projectId={1} snapshots={snapshots} />);

    expect(await screen.findByTestId("diff-added")).toHaveTextContent("12");
    expect(screen.getByTestId("diff-removed")).toHaveTextContent("2");
    expect(screen.getByTestId("diff-relabeled")).toHaveTextContent("3");
    expect(screen.getByTestId("diff-unchanged")).toHaveTextContent("95");
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe("/api/v1/projects/1/snapshots/diff/?a=2&b=3");

    const table = screen.getByRole("table", { name: "Label distribution" });
    const spam = within(table).getByRole("row", { name: /spam/ });
    expect(spam).toHaveTextContent("40");
    expect(spam).toHaveTextContent("52");
    expect(within(spam).getByTestId("diff-change")).toHaveTextContent("+12");
    expect(within(within(table).getByRole("row", { name: /ham/ })).getByTestId("diff-change")).toHaveTextContent("−2");

    const relabeled = screen.getByTestId("diff-samples-relabeled");
    expect(relabeled).toHaveTextContent("sms-9 ham → spam");
    expect(relabeled).toHaveTextContent("Relabeled: 3 (a sample of 1)");
    expect(screen.getByTestId("diff-samples-added")).toHaveTextContent("sms-201 spam");
    expect(screen.getByTestId("diff-samples-removed")).toHaveTextContent("sms-7 ham");
    expect(screen.getByRole("link", { name: "sms-9" })).toHaveAttribute("href", "/projects/1/items/9");

    // Many examples: the first ten, and a button for the rest.
    expect(screen.getByTestId("diff-samples-removed")).toHaveTextContent("sms-7 ham");

    // A failed snapshot cannot be compared.
    expect(within(screen.getByTestId("diff-a")).queryByRole("option", { name: "#1" })).not.toBeInTheDocument();

    await user.selectOptions(screen.getByTestId("diff-a"), "3");
    expect(screen.getByText("Pick two different snapshots.")).toBeInTheDocument();
    await user.selectOptions(screen.getByTestId("diff-b"), "2");
    await waitFor(() => expect(String(fetchMock.mock.calls.at(-1)?.[0])).toBe("/api/v1/projects/1/snapshots/diff/?a=3&b=2"));
  });

  it("shows ten examples of a kind, the rest on demand, with long ids cut short", async () => {
    const removed = Array.from({ length: 12 }, (_, index) => ({
      id: 100 + index,
      external_id: `sha256:${String(index).padStart(64, "0")}`,
      before: ["ham"],
      after: null,
    }));
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(snapshotDiff({ removed: { count: 167, classes: { ham: 167 }, sample: removed } })),
    );
    const user = userEvent.setup();

    renderWithProviders(<SnapshotDiff projectId={1} snapshots={[snapshot({ id: 2, number: 2 }), snapshot()]} />);

    const section = await screen.findByTestId("diff-samples-removed");
    expect(section).toHaveTextContent("Removed: 167 (a sample of 12)");
    expect(within(section).getAllByTestId("diff-sample")).toHaveLength(10);
    expect(within(section).getAllByRole("link")[0]).toHaveTextContent(/^sha256:0{17}…$/);
    await user.click(within(section).getByRole("button", { name: "Show all 12 examples" }));
    expect(within(section).getAllByTestId("diff-sample")).toHaveLength(12);
  });
});
