import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { snapshot } from "../../testing/fixtures";
import { CutSnapshotForm } from "../cut-snapshot-form";

type Call = { url: string; body: { filters: Record<string, unknown>; name?: string } };

function fakeServer({ refuse }: { refuse?: (filters: Record<string, unknown>) => string | null } = {}) {
  const previews: Call[] = [];
  const creates: Call[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    const body = JSON.parse(String(init?.body ?? "{}")) as Call["body"];
    const refusal = refuse?.(body.filters) ?? null;
    if (url.endsWith("/snapshots/preview/")) {
      previews.push({ url, body });
      if (refusal) return jsonResponse({ message: refusal, extra: {} }, { status: 400 });
      const classes = (body.filters.classes as string[] | undefined) ?? ["ham", "spam"];
      return jsonResponse({
        items: classes.length * 50,
        labeled: classes.length * 50,
        splits: { train: classes.length * 40, dev: classes.length * 5, test: classes.length * 5 },
        classes: Object.fromEntries(classes.map((name) => [name, 50])),
        sources: { human: classes.length * 50 },
        automatic: 0,
      });
    }
    creates.push({ url, body });
    if (refusal) return jsonResponse({ message: refusal, extra: {} }, { status: 400 });
    return jsonResponse(snapshot({ number: 2, state: "queued", progress: 0 }), { status: 202 });
  });
  document.cookie = "csrftoken=token";
  return { previews, creates };
}

function renderForm(onCreated = vi.fn()) {
  renderWithProviders(
    <CutSnapshotForm projectId={1} classNames={["ham", "spam"]} onCreated={onCreated} onCancel={vi.fn()} />,
  );
  return onCreated;
}

describe("CutSnapshotForm", () => {
  it("previews the counts of people's labels by default, and again once the filters change", async () => {
    const { previews } = fakeServer();
    const user = userEvent.setup();
    renderForm();

    expect(await screen.findByTestId("count-items")).toHaveTextContent("100");
    expect(screen.getByTestId("count-splits")).toHaveTextContent("train 80 · dev 10 · test 10");
    expect(previews[0]?.body.filters).toEqual({
      sources: ["human", "import", "moderation", "appeal"],
      labeled_only: true,
    });
    expect(screen.getByTestId("snapshot-source-auto")).not.toBeChecked();
    expect(screen.getByTestId("snapshot-source-automatic_decision")).not.toBeChecked();

    await user.click(screen.getByRole("checkbox", { name: "spam" }));
    await waitFor(() => expect(screen.getByTestId("count-items")).toHaveTextContent("50"));
    expect(previews.at(-1)?.body.filters).toEqual({
      sources: ["human", "import", "moderation", "appeal"],
      labeled_only: true,
      classes: ["spam"],
    });
  });

  it("shows the server's 400 in place when the filters select nothing, and does not close", async () => {
    const message = "These filters select no items: no labeled item of the test split is in class spam.";
    const { creates } = fakeServer({ refuse: (filters) => ((filters.splits as string[] | undefined)?.includes("test") ? message : null) });
    const user = userEvent.setup();
    const onCreated = renderForm();

    await screen.findByTestId("count-items");
    await user.click(screen.getByTestId("snapshot-split-test"));
    expect(await screen.findByRole("alert")).toHaveTextContent(`These filters cannot be cut: ${message}`);

    await user.click(screen.getByTestId("snapshot-submit"));
    await waitFor(() => expect(creates).toHaveLength(1));
    expect(await screen.findByText(/The snapshot was not cut/)).toBeInTheDocument();
    expect(screen.getAllByRole("alert").at(-1)).toHaveTextContent(message);
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("warns that automatic sources are the model's own labels and will be marked", async () => {
    const { previews } = fakeServer();
    const user = userEvent.setup();
    renderForm();
    await screen.findByTestId("count-items");
    expect(screen.queryByTestId("snapshot-automatic-warning")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("snapshot-source-auto"));

    expect(screen.getByTestId("snapshot-automatic-warning")).toHaveTextContent("the model's own labels");
    expect(screen.getByTestId("snapshot-automatic-warning")).toHaveTextContent("marked is_automatic");
    await waitFor(() =>
      expect(previews.at(-1)?.body.filters.sources).toEqual(["human", "import", "moderation", "appeal", "auto"]),
    );
  });

  it("sends the name, dates and metadata filters, and hands back the queued snapshot", async () => {
    const { creates } = fakeServer();
    const user = userEvent.setup();
    const onCreated = renderForm();
    await screen.findByTestId("count-items");

    await user.type(screen.getByTestId("snapshot-name"), "before relabeling");
    await user.click(screen.getByTestId("snapshot-labeled-only"));
    await user.click(screen.getByRole("button", { name: "Add a metadata filter" }));
    await user.type(screen.getByTestId("snapshot-metadata-key"), "lang");
    await user.type(screen.getByTestId("snapshot-metadata-values"), "en, fr");
    await user.click(screen.getByTestId("snapshot-submit"));

    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ number: 2, state: "queued" })));
    expect(creates[0]?.url).toBe("/api/v1/projects/1/snapshots/");
    expect(creates[0]?.body).toEqual({
      name: "before relabeling",
      filters: {
        sources: ["human", "import", "moderation", "appeal"],
        labeled_only: false,
        metadata: { lang: ["en", "fr"] },
      },
    });
  });

  it("warns before submitting when the preview counts no item", async () => {
    fakeServer();
    const user = userEvent.setup();
    renderForm();
    await screen.findByTestId("count-items");
    expect(screen.queryByTestId("snapshot-preview-empty")).not.toBeInTheDocument();

    // The fake server counts 50 items per class asked for; a class list of "none" counts none.
    await user.click(screen.getByRole("checkbox", { name: "ham" }));
    await waitFor(() => expect(screen.getByTestId("count-items")).toHaveTextContent("50"));
    vi.mocked(globalThis.fetch).mockImplementation(async () =>
      jsonResponse({ items: 0, labeled: 0, automatic: 0, splits: {}, classes: {}, sources: {}, resolutions: {}, exact: [], message: "" }),
    );
    await user.click(screen.getByRole("checkbox", { name: "spam" }));

    expect(await screen.findByTestId("snapshot-preview-empty")).toHaveTextContent("These filters select no items");
  });
});
