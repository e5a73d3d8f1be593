import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { assignment, fakeQueueServer, similarItems } from "../../testing/fake-queue-server";
import type { WorkspaceProject } from "../../types";
import { AnnotateWorkspace } from "../annotate-workspace";

const PROJECT: WorkspaceProject = {
  id: 1,
  name: "Spam",
  data_type: "text",
  task_type: "binary",
  guidelines_html: "",
  label_classes: [
    { id: 1, name: "ham", colour: "#1f77b4", hotkey: "1", order: 0 },
    { id: 2, name: "spam", colour: "#d62728", hotkey: "2", order: 1 },
  ],
};

let userCounter = 0;
function renderWorkspace() {
  userCounter += 1;
  return renderWithProviders(<AnnotateWorkspace project={PROJECT} userKey={`similar-${userCounter}`} />);
}

async function itemOnScreen(itemId: number) {
  await waitFor(() => expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-item-id", String(itemId)));
}

function nth(elements: HTMLElement[], index: number): HTMLElement {
  const element = elements[index];
  if (!element) throw new Error(`no element ${index}`);
  return element;
}

afterEach(() => {
  window.localStorage.clear();
});

describe("Similar items panel", () => {
  it("is closed until `n`, then shows each neighbour's text, labels and similarity, and `n` closes it", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2)] });
    renderWorkspace();
    await itemOnScreen(1);

    expect(screen.queryByTestId("similar-panel")).toBeNull();
    expect(server.requests.some((request) => request.path.includes("similar"))).toBe(false);

    await user.keyboard("n");
    const entries = await screen.findAllByTestId("similar-entry");
    expect(server.requests.map((request) => request.path)).toContain("items/1/similar/?limit=8");
    expect(entries).toHaveLength(2);
    expect(within(nth(entries, 0)).getByTestId("similar-excerpt")).toHaveTextContent("WIN a free prize now, text CLAIM");
    expect(within(nth(entries, 0)).getByTestId("similar-labels")).toHaveTextContent("spam");
    expect(nth(entries, 0)).toHaveTextContent("0.91");
    expect(nth(entries, 1)).toHaveTextContent("unlabeled");
    // The proposal and the actions are still there.
    expect(screen.getByTestId("proposal")).toBeInTheDocument();
    expect(screen.getByTestId("toggle-similar")).toHaveAttribute("aria-pressed", "true");

    await user.keyboard("n");
    expect(screen.queryByTestId("similar-panel")).toBeNull();
  });

  it("follows the item on screen to the next one", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)] });
    renderWorkspace();
    await itemOnScreen(1);
    await user.keyboard("n");
    await screen.findAllByTestId("similar-entry");

    await user.keyboard("a");
    await itemOnScreen(2);

    await waitFor(() =>
      expect(server.requests.map((request) => request.path)).toContain("items/2/similar/?limit=8"),
    );
    expect(screen.getByTestId("similar-panel")).toBeInTheDocument();
  });

  it("says the item is not embedded yet and offers to try again", async () => {
    const user = userEvent.setup();
    let calls = 0;
    fakeQueueServer({
      items: [assignment(1), assignment(2)],
      similar: () => {
        calls += 1;
        return calls === 1 ? similarItems({ embedder: "", exact: false, labels_hidden: false, items: [] }) : similarItems();
      },
    });
    renderWorkspace();
    await itemOnScreen(1);

    await user.keyboard("n");
    const empty = await screen.findByTestId("similar-empty");
    expect(empty).toHaveTextContent("no embedding yet");

    await user.click(within(empty).getByRole("button", { name: "Try again" }));
    expect(await screen.findAllByTestId("similar-entry")).toHaveLength(2);
  });

  it("notes when the quick first-pass vectors answered", async () => {
    const user = userEvent.setup();
    fakeQueueServer({ items: [assignment(1), assignment(2)], similar: () => similarItems({ exact: false }) });
    renderWorkspace();
    await itemOnScreen(1);

    await user.keyboard("n");

    expect(await screen.findByTestId("similar-approximate")).toHaveTextContent("quick first-pass vectors");
  });

  it("says why no labels show when annotators label blind", async () => {
    const user = userEvent.setup();
    const blind = similarItems({ labels_hidden: true });
    blind.items = blind.items.map((item) => ({ ...item, labels: [] }));
    fakeQueueServer({ items: [assignment(1), assignment(2)], similar: () => blind });
    renderWorkspace();
    await itemOnScreen(1);

    await user.keyboard("n");

    expect(await screen.findByTestId("similar-labels-hidden")).toHaveTextContent("without seeing the others");
    expect(screen.queryByTestId("similar-labels")).not.toBeInTheDocument();
    expect(screen.queryByText("unlabeled")).not.toBeInTheDocument();
  });

  it("shows the server's message when the index is still being built", async () => {
    const user = userEvent.setup();
    fakeQueueServer({
      items: [assignment(1), assignment(2)],
      similar: () => ({ status: 503, message: "The similarity index of this project is still being built; try again in a few minutes." }),
    });
    renderWorkspace();
    await itemOnScreen(1);

    await user.keyboard("n");

    const error = await screen.findByTestId("similar-error");
    expect(error).toHaveTextContent("still being built");
    expect(within(error).getByRole("button", { name: "Try again" })).toBeInTheDocument();
    // Labeling goes on: `a` still accepts.
    await user.keyboard("a");
    await itemOnScreen(2);
  });
});
