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
  modelVersion({
    id: 11,
    version: 1,
    label_count: 100,
    stage: "production",
    embedder: "static@m2v-meannorm-pca256-sif3e-5-v1-0123456789ab",
  }),
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
  it("says which embedder each version read, marking the fast first pass's vectors", async () => {
    mockApi(() => jsonResponse({}));
    renderWithProviders(<ModelVersionsTable projectId={1} classNames={["spam", "ham"]} />);

    const hints = await screen.findAllByTestId("embedder-hint");
    expect(hints.map((hint) => hint.textContent?.trim())).toEqual(["on minilm", "on static vectors (fast pass)"]);
    expect(hints[1]).toHaveAttribute("title", expect.stringContaining("fast first pass"));
  });

  it("says when a version is the few-shot model, and what the few-shot model did in another run", async () => {
    const versions = [
      modelVersion({
        id: 22,
        version: 4,
        algorithm: "setfit_logistic_regression",
        embedder: "setfit-0123456789abcdef@1",
        metrics: {
          roc_auc: 0.91,
          few_shot: {
            kept: true,
            reason: "held-out ROC AUC 0.9100 beats the logistic regression's 0.8800",
            roc_auc: 0.91,
            roc_auc_logistic_regression: 0.88,
          },
        },
      }),
      modelVersion({
        id: 21,
        version: 3,
        metrics: {
          roc_auc: 0.87,
          few_shot: { kept: false, roc_auc: 0.85, roc_auc_logistic_regression: 0.87 },
        },
      }),
    ];
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(page(versions)));
    renderWithProviders(<ModelVersionsTable projectId={1} classNames={["spam", "ham"]} />);

    const notes = await screen.findAllByTestId("few-shot-note");
    expect(notes.map((note) => note.textContent)).toEqual([
      "few-shot: ROC AUC 0.910, logistic regression 0.880",
      "few-shot tried: ROC AUC 0.850, not above 0.870",
    ]);
    expect(notes[0]).toHaveAttribute("title", expect.stringContaining("beats the logistic regression"));
    const hints = screen.getAllByTestId("embedder-hint");
    expect(hints[0]).toHaveTextContent("on its fine-tuned MiniLM (few-shot)");
    // The detail shows the version in production (the first here): which model it is.
    expect(screen.getByTestId("few-shot-detail")).toHaveTextContent(
      "This is the few-shot model: MiniLM fine-tuned on these labels, held-out ROC AUC 0.910 against the logistic regression's 0.880.",
    );
  });

  it("shows the metrics of each version side by side, with a column per class", async () => {
    mockApi(() => jsonResponse({}));
    renderWithProviders(<ModelVersionsTable projectId={1} classNames={["spam", "ham"]} />);

    const table = await screen.findByTestId("model-versions");
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((cell) => cell.textContent);
    expect(headers.slice(0, 13)).toEqual([
      "Compare",
      "Version",
      "Stage",
      "Move to",
      "Decision at training",
      "Trained on",
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
    expect([...cells.slice(1, 3), ...cells.slice(4, 13)]).toEqual([
      "2",
      "Candidate",
      "not recorded",
      "250sources not recorded",
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
    expect(cells.slice(6, 12)).toEqual(["—", "—", "—", "—", "—", "0"]);
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
    // (The detail's evaluation is fetched too, and again after the change: not counted here.)
    const listLoads = () =>
      fetchMock.mock.calls.filter(
        ([u, i]) => (!i?.method || i.method === "GET") && !String(u).includes("/evaluation/"),
      );
    await waitFor(() => expect(listLoads()).toHaveLength(2));
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

  it("says what each version was trained on by label source", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        page([
          modelVersion({
            label_count: 328,
            metrics: {
              n: 19,
              train_n: 328,
              train_source_counts: { import: 328, human: 0, moderation: 0, appeal: 0 },
            },
          }),
        ]),
      ),
    );
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    expect(await screen.findByTestId("trained-on-cell")).toHaveTextContent("328328 imported · 0 by annotators");
    expect(screen.getByTestId("trained-on")).toHaveTextContent(
      "Trained on 328 labels: 328 imported, 0 by annotators, 0 from moderation, 0 from appeals.",
    );
  });

  it("says which strategy ordered the queue and, for adaptive, why", async () => {
    const reason = "random measured best on 40 dev labels (mean replay ROC AUC hybrid 0.801, entropy 0.795, random 0.823)";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        page([
          modelVersion({
            metrics: {
              n: 19,
              sampling: { setting: "adaptive", arm: "random", reason, scores: { hybrid: 0.801, entropy: 0.795, random: 0.823 } },
            },
          }),
        ]),
      ),
    );
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    expect(await screen.findByTestId("queue-order")).toHaveTextContent(`Queue ordered by random (adaptive: ${reason}).`);
  });

  it("shows why the training run kept a version out of production", async () => {
    const reason = "new versions of this project start in shadow (held-out F1 is 0 for spam)";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(page([modelVersion({ stage: "shadow", promotion: { promoted: false, stage: "shadow", reason } })])),
    );
    renderWithProviders(<ModelVersionsTable projectId={1} />);

    expect(await screen.findByTestId("promotion-cell")).toHaveTextContent(`Stays in shadow${reason}`);
  });

  it("shows the confusion matrix of the version serving, with its headers", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        page([
          modelVersion({
            stage: "production",
            metrics: { n: 11, classes: ["ham", "spam"], confusion_matrix: [[8, 0], [3, 0]], f1_per_class: { ham: 0.84, spam: 0 } },
          }),
        ]),
      ),
    );
    renderWithProviders(<ModelVersionsTable projectId={1} classNames={["spam", "ham"]} />);

    const matrix = await screen.findByRole("table", { name: "Confusion matrix of version 1 (11 held-out items)" });
    const spamRow = within(matrix).getByRole("rowheader", { name: "spam" }).closest("tr");
    expect(Array.from(spamRow?.children ?? []).map((cell) => cell.textContent)).toEqual(["spam", "3", "0"]);
  });

  it("links to the comparison of the two versions ticked", async () => {
    mockApi(() => jsonResponse({}));
    const user = userEvent.setup();
    renderWithProviders(<ModelVersionsTable projectId={4} />);

    await user.click(await screen.findByRole("checkbox", { name: "Compare version 2" }));
    expect(screen.queryByTestId("compare-link")).not.toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: "Compare version 1" }));

    expect(screen.getByRole("link", { name: "Compare versions 1 and 2" })).toHaveAttribute(
      "href",
      "/projects/4/models/compare?a=1&b=2",
    );
  });
});

describe("ModelVersionsTable snapshots", () => {
  it("links a version to the dataset snapshot it was trained on, and says nothing for older ones", async () => {
    const versions = [
      modelVersion({ id: 13, version: 3, stage: "production", dataset_snapshot: { number: 7 } }),
      modelVersion({ id: 12, version: 2, stage: "archived", dataset_snapshot: null }),
    ];
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(page(versions)));

    renderWithProviders(<ModelVersionsTable projectId={1} />);

    const rows = await screen.findAllByTestId("model-version-row");
    const row = rows.find((element) => element.dataset.version === "3");
    if (!row) throw new Error("no row for version 3");
    expect(within(row).getByRole("link", { name: "snapshot 7" })).toHaveAttribute(
      "href",
      "/projects/1/datasets?snapshot=7",
    );
    expect(screen.getAllByTestId("trained-on-snapshot")).toHaveLength(1);
    expect(screen.getByRole("link", { name: "trained on snapshot 7" })).toHaveAttribute(
      "href",
      "/projects/1/datasets?snapshot=7",
    );
  });
});
