import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { modelVersion, page } from "../../testing/fixtures";
import { ModelVersionsTable } from "../model-versions-table";

const VERSIONS = [
  modelVersion({
    id: 12,
    version: 2,
    label_count: 250,
    stage: "candidate",
    metrics: {
      n: 69,
      roc_auc: 0.953,
      f1_macro: 0.881,
      accuracy: 0.9,
      ece: 0.021,
      f1_per_class: { ham: 0.97, spam: 0.792 },
    },
  }),
  modelVersion({ id: 11, version: 1, label_count: 100, stage: "production" }),
];

/** The list for GETs; `onPost` answers the stage change. */
function mockApi(onPost: (url: string, body: unknown) => Response) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    if (init?.method === "POST") return onPost(url, JSON.parse(String(init.body)));
    return jsonResponse(page(VERSIONS));
  });
}

function postCalls(fetchMock: ReturnType<typeof mockApi>) {
  return fetchMock.mock.calls.filter(([, init]) => init?.method === "POST");
}

describe("ModelVersionsTable", () => {
  it("shows the metrics of each version side by side, with a column per class", async () => {
    mockApi(() => jsonResponse({}));
    renderWithProviders(<ModelVersionsTable projectId={1} classNames={["spam", "ham"]} />);

    const table = await screen.findByTestId("model-versions");
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((cell) => cell.textContent);
    expect(headers.slice(0, 11)).toEqual([
      "Version",
      "Stage",
      "Move to",
      "Human labels",
      "ROC AUC",
      "F1 macro",
      "Accuracy",
      "ECE",
      "F1 spam",
      "F1 ham",
      "Held-out items",
    ]);
    const [first] = within(table).getAllByTestId("model-version-row");
    const cells = Array.from(first?.children ?? []).map((cell) => cell.textContent);
    expect([...cells.slice(0, 2), ...cells.slice(3, 11)]).toEqual([
      "2",
      "Candidate",
      "250",
      "0.953",
      "0.881",
      "0.900",
      "0.021",
      "0.792",
      "0.970",
      "69",
    ]);
  });

  it("shows no scores for a version measured on no held-out items", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        page([modelVersion({ metrics: { n: 0, roc_auc: null, f1_macro: 1, accuracy: 1, ece: 0, f1_per_class: { ham: 1 } } })]),
      ),
    );
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    const [row] = within(await screen.findByTestId("model-versions")).getAllByTestId("model-version-row");
    const cells = Array.from(row?.children ?? []).map((cell) => cell.textContent);
    expect(cells.slice(4, 10)).toEqual(["—", "—", "—", "—", "—", "0"]);
  });

  it("moves a version to another stage and fetches the list again", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = mockApi(() => jsonResponse({ ...VERSIONS[0], stage: "shadow" }));
    const user = userEvent.setup();
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    await user.click(await screen.findByRole("button", { name: "Move version 2 to shadow" }));

    await waitFor(() => expect(postCalls(fetchMock)).toHaveLength(1));
    const [url, init] = postCalls(fetchMock)[0] ?? [];
    expect(String(url)).toBe("/api/v1/projects/1/model-versions/12/stage/");
    expect(JSON.parse(String(init?.body))).toEqual({ stage: "shadow" });
    // The list is loaded again: promoting one version can move another.
    await waitFor(() => expect(fetchMock.mock.calls.filter(([, i]) => !i?.method || i.method === "GET")).toHaveLength(2));
  });

  it("asks before putting a version into production, and does nothing when told no", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = mockApi(() => jsonResponse({ ...VERSIONS[0], stage: "production" }));
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const user = userEvent.setup();
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    const promote = await screen.findByRole("button", { name: "Move version 2 to production" });
    await user.click(promote);
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining("Version 1, serving now, will be archived."));
    expect(postCalls(fetchMock)).toHaveLength(0);

    await user.click(promote);
    await waitFor(() => expect(postCalls(fetchMock)).toHaveLength(1));
    expect(JSON.parse(String(postCalls(fetchMock)[0]?.[1]?.body))).toEqual({ stage: "production" });
  });

  it("shows the server's refusal of a stage change", async () => {
    document.cookie = "csrftoken=tok";
    mockApi(() =>
      jsonResponse({ message: "An archived version cannot be served.", extra: {} }, { status: 400 }),
    );
    const user = userEvent.setup();
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    await user.click(await screen.findByRole("button", { name: "Archive version 1" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not move version 1 to archived: An archived version cannot be served.",
    );
    expect(screen.getByRole("button", { name: "Archive version 1" })).toBeEnabled();
  });

  it("offers no button for the stage a version is already in", async () => {
    mockApi(() => jsonResponse({}));
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    await screen.findByTestId("model-versions");
    expect(screen.queryByRole("button", { name: "Move version 1 to production" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Move version 1 to canary" })).toBeInTheDocument();
  });
});
