import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { assignment, fakeQueueServer, queueStats } from "../../testing/fake-queue-server";
import type { WorkspaceProject } from "../../types";
import { AnnotateWorkspace } from "../annotate-workspace";
import { isolate } from "@/lib/bidi";

const PROJECT: WorkspaceProject = {
  id: 1,
  name: "Spam",
  data_type: "text",
  task_type: "binary",
  guidelines_html: "<h2>What is spam</h2><p>A message that sells something nobody asked for.</p>",
  label_classes: [
    { id: 1, name: "ham", colour: "#1f77b4", hotkey: "1", order: 0 },
    { id: 2, name: "spam", colour: "#d62728", hotkey: "2", order: 1 },
  ],
};

// Each test is another user: the outbox (and its storage) is per user and project.
let userCounter = 0;
function renderWorkspace(project: WorkspaceProject = PROJECT) {
  userCounter += 1;
  return renderWithProviders(<AnnotateWorkspace project={project} userKey={`user-${userCounter}`} />);
}

function shownItemId(): string | null {
  return screen.getByTestId("annotate-item").getAttribute("data-item-id");
}

/** Wait until the item on screen and one more are leased (the prefetch is done). */
async function ready(server: ReturnType<typeof fakeQueueServer>, itemId: number) {
  await waitFor(() => expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-item-id", String(itemId)));
  await waitFor(() => expect(server.calls("next").length).toBeGreaterThanOrEqual(2));
}

afterEach(() => {
  window.localStorage.clear();
});

describe("AnnotateWorkspace", () => {
  it("shows the item as plain text with the proposal, and accepts it with `a`", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({
      items: [
        assignment(1, { item: { ...assignment(1).item, text: "<b>Win</b> a prize\n  now" } }),
        assignment(2),
        assignment(3),
      ],
    });
    renderWorkspace();
    await ready(server, 1);

    const text = screen.getByTestId("annotate-item-text");
    expect(text.textContent).toBe("<b>Win</b> a prize\n  now");
    expect(text.querySelector("b")).toBeNull();
    expect(screen.getByTestId("proposal-labels")).toHaveTextContent("spam");
    expect(screen.getByTestId("proposal-confidence")).toHaveTextContent("91% confident");
    const buttons = screen.getAllByTestId("label-button");
    expect(buttons.map((button) => button.textContent)).toEqual(["1ham", "2spam (proposed)"]);

    await user.keyboard("a");
    // The next item was already leased: it is on screen as soon as the key is handled.
    expect(shownItemId()).toBe("2");

    await waitFor(() => expect(server.calls("submit")).toHaveLength(1));
    const [submit] = server.calls("submit");
    expect(submit?.path).toBe("queue/items/1/submit/");
    expect(submit?.body).toMatchObject({ labels: ["spam"], client: "web" });
    const body = submit?.body as { client_key: string; time_on_item_ms: number };
    expect(body.client_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.time_on_item_ms).toBeGreaterThanOrEqual(0);
    await waitFor(() => expect(screen.getByTestId("submission-status")).toHaveAttribute("data-state", "saved"));
    await waitFor(() => expect(window.__tandemTimings?.length ?? 0).toBeGreaterThan(0));
  });

  it("rejects with `x` and takes the right label from its key, refusing the rejected one", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)] });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("x");
    expect(screen.getByTestId("reject-mode")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /spam/ })).toBeDisabled();

    await user.keyboard("2");
    expect(shownItemId()).toBe("1");
    expect(screen.getByTestId("workspace-notice")).toHaveTextContent("spam is the proposal you rejected");

    await user.keyboard("1");
    expect(shownItemId()).toBe("2");
    await waitFor(() => expect(server.calls("submit")).toHaveLength(1));
    expect(server.calls("submit")[0]?.body).toMatchObject({ labels: ["ham"] });
  });

  it("labels with one request per item: each answer brings the next item, no separate next call", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({
      items: [assignment(1), assignment(2), assignment(3), assignment(4), assignment(5)],
      roundTrip: true,
    });
    renderWorkspace();
    await ready(server, 1);
    const nextCalls = server.calls("next").length;

    for (const shown of ["2", "3", "4"]) {
      await user.keyboard("1");
      expect(shownItemId()).toBe(shown);
      await waitFor(() => expect(screen.getByTestId("annotate-workspace")).toHaveAttribute("data-prefetched", "1"));
    }

    await waitFor(() => expect(server.calls("submit")).toHaveLength(3));
    expect(server.calls("submit").map((request) => (request.body as { next: boolean }).next)).toEqual([true, true, true]);
    expect(server.calls("next")).toHaveLength(nextCalls);
  });

  it("skips with a reason chosen by its number and says so; Esc keeps the item", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)], roundTrip: true });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("{Shift>} {/Shift}");
    const dialog = await screen.findByTestId("skip-reason");
    await user.keyboard("1"); // chooses "Unsure" in the dialog, never the label behind it
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("skip-reason")).toBeNull();
    expect(shownItemId()).toBe("1");
    expect(server.calls("submit")).toHaveLength(0);
    expect(dialog).not.toBeInTheDocument();

    await user.keyboard("{Shift>} {/Shift}");
    await screen.findByTestId("skip-reason");
    await user.keyboard("2{Enter}");
    expect(shownItemId()).toBe("2");
    expect(screen.getByTestId("workspace-notice")).toHaveTextContent("Skipped item item-1 — Not readable.");
    await waitFor(() => expect(server.calls("skip")).toHaveLength(1));
    expect(server.calls("skip")[0]?.body).toEqual({ reason: "Not readable", next: true });
    expect(server.calls("submit")).toHaveLength(0);
  });

  it("asks what is unclear before flagging, and sends it", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2)] });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("f");
    const input = await screen.findByTestId("flag-reason-input");
    await waitFor(() => expect(input).toHaveFocus());
    await user.keyboard("two labels fit{Enter}");

    await waitFor(() => expect(server.calls("flags")).toHaveLength(1));
    expect(server.calls("flags")[0]?.body).toEqual({ reason: "two labels fit" });
    expect(screen.queryByTestId("flag-reason")).toBeNull();
    expect(screen.getByTestId("flagged")).toBeInTheDocument();
    expect(shownItemId()).toBe("1");
  });

  it("submits a label key directly, skips with space, and ignores keys typed into a field", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3), assignment(4)] });
    renderWithProviders(
      <>
        <input aria-label="Search" />
        <AnnotateWorkspace project={PROJECT} userKey="typing-user" />
      </>,
    );
    await ready(server, 1);

    await user.click(screen.getByRole("textbox", { name: "Search" }));
    await user.keyboard("a1 x");
    expect(shownItemId()).toBe("1");
    expect(screen.getByRole("textbox", { name: "Search" })).toHaveValue("a1 x");

    await user.click(document.body);
    await user.keyboard("1");
    expect(shownItemId()).toBe("2");
    await waitFor(() => expect(server.calls("next").length).toBeGreaterThanOrEqual(3));
    await user.keyboard(" ");
    expect(shownItemId()).toBe("3");

    await waitFor(() => expect(server.calls("skip")).toHaveLength(1));
    expect(server.calls("skip")[0]?.path).toBe("queue/items/2/skip/");
    expect(server.calls("submit").map((request) => request.body)).toEqual([
      expect.objectContaining({ labels: ["ham"] }),
    ]);
  });

  it("undo reopens the last answer and a new choice changes it with PATCH", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)] });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("1");
    await waitFor(() => expect(server.annotations.size).toBe(1));
    expect(shownItemId()).toBe("2");

    await user.keyboard("z");
    expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-editing", "true");
    expect(shownItemId()).toBe("1");
    expect(screen.getByTestId("editing-banner")).toHaveTextContent("Changing your label for item item-1 (was ham)");

    await user.keyboard("2");
    expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-editing", "false");
    expect(shownItemId()).toBe("2");
    await waitFor(() => expect(server.requests.some((request) => request.method === "PATCH")).toBe(true));
    const patch = server.requests.find((request) => request.method === "PATCH");
    expect(patch).toMatchObject({ path: "annotations/100/", body: { labels: ["spam"] } });
    expect([...server.annotations.values()][0]?.labels).toEqual(["spam"]);
    expect(server.calls("submit")).toHaveLength(1);
  });

  it("backspace undoes too, and Esc leaves the earlier answer unchanged", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)] });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("a");
    await user.keyboard("{Backspace}");
    expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-editing", "true");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("annotate-item")).toHaveAttribute("data-editing", "false");
    expect(shownItemId()).toBe("2");
    await waitFor(() => expect(server.calls("submit")).toHaveLength(1));
    expect(server.requests.some((request) => request.method === "PATCH")).toBe(false);
  });

  it("opens the guidelines with `g` and the keys with `?`; Esc closes them and answers wait", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2)] });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("g");
    const guidelines = screen.getByRole("dialog", { name: "Guidelines" });
    expect(within(guidelines).getByRole("heading", { name: "What is spam" })).toBeInTheDocument();
    await user.keyboard("a");
    expect(shownItemId()).toBe("1");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    await user.keyboard("?");
    const help = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(within(help).getByTestId("help-label-keys")).toHaveTextContent("1ham2spam");
    await user.keyboard("?");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(server.calls("submit")).toHaveLength(0);
  });

  it("retries a submit that hit a network error, says so, and stores it once", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({ items: [assignment(1), assignment(2), assignment(3)], failSubmits: 2 });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("a");
    expect(shownItemId()).toBe("2");
    const status = screen.getByTestId("submission-status");
    await waitFor(() => expect(status).toHaveAttribute("data-state", "retrying"));
    expect(status).toHaveTextContent("1 label waiting to be saved — retrying");

    await waitFor(() => expect(status).toHaveAttribute("data-state", "saved"), { timeout: 5000 });
    expect(status).toHaveTextContent("All labels saved");
    const submits = server.calls("submit");
    expect(submits).toHaveLength(3);
    expect(new Set(submits.map((request) => (request.body as { client_key: string }).client_key)).size).toBe(1);
    expect(server.annotations.size).toBe(1);
  });

  it("shows a refused submit (an expired lease) and does not retry it", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({
      items: [assignment(1), assignment(2)],
      refuseSubmits: { status: 409, message: "Your lease on this item has expired." },
    });
    renderWorkspace();
    await ready(server, 1);

    await user.keyboard("1");
    const failures = await screen.findByTestId("submission-failures");
    expect(failures).toHaveTextContent('Label "ham" for item item-1: Your lease on this item has expired.');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(server.calls("submit")).toHaveLength(1);

    await user.click(within(failures).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("submission-failures")).not.toBeInTheDocument();
  });

  it("resumes open leases before asking for new items", async () => {
    const server = fakeQueueServer({ open: [assignment(7)], items: [assignment(8)] });
    renderWorkspace();

    await waitFor(() => expect(shownItemId()).toBe("7"));
    await waitFor(() => expect(server.calls("next")).toHaveLength(1));
  });

  it("says when nothing is left to label", async () => {
    fakeQueueServer({ items: [] });
    renderWorkspace();

    const empty = await screen.findByTestId("queue-empty");
    expect(empty).toHaveTextContent("Nothing left to label");
    expect(empty).toHaveTextContent("Every item has the labels it needs.");
  });

  it("toggles labels in a multilabel project and sends them with Enter", async () => {
    const user = userEvent.setup();
    const server = fakeQueueServer({
      items: [assignment(1, { suggestion: null }), assignment(2)],
    });
    renderWorkspace({
      ...PROJECT,
      task_type: "multilabel",
      label_classes: [
        { id: 1, name: "sports", hotkey: "1", order: 0 },
        { id: 2, name: "politics", hotkey: "2", order: 1 },
        { id: 3, name: "tech", hotkey: "3", order: 2 },
      ],
    });
    await ready(server, 1);
    expect(screen.getByTestId("proposal")).toHaveTextContent("No proposal for this item.");

    await user.keyboard("{Enter}");
    expect(screen.getByTestId("workspace-notice")).toHaveTextContent("Pick at least one label first");
    await user.keyboard("132");
    await user.keyboard("2");
    expect(screen.getByRole("button", { name: /sports/ })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: /politics/ })).toHaveAttribute("aria-pressed", "false");
    expect(shownItemId()).toBe("1");

    await user.keyboard("{Enter}");
    expect(shownItemId()).toBe("2");
    await waitFor(() => expect(server.calls("submit")).toHaveLength(1));
    expect(server.calls("submit")[0]?.body).toMatchObject({ labels: ["sports", "tech"] });
  });

  it("fits an image item to the screen and zooms it to full size with `v`", async () => {
    const user = userEvent.setup();
    const image = { ...assignment(1).item, text: null, image_url: "/api/v1/projects/1/items/1/image/", thumbnail_url: null };
    const server = fakeQueueServer({ items: [assignment(1, { item: image }), assignment(2)] });
    renderWorkspace({ ...PROJECT, data_type: "image" });
    await ready(server, 1);

    const picture = screen.getByRole("img", { name: `Item ${isolate("item-1")}` });
    expect(picture).toHaveAttribute("src", "/api/v1/projects/1/items/1/image/");
    expect(picture).toHaveAttribute("data-zoomed", "false");
    await user.keyboard("v");
    expect(picture).toHaveAttribute("data-zoomed", "true");
    expect(screen.getByRole("button", { name: /Fit to screen/ })).toHaveAttribute("aria-pressed", "true");
    await user.keyboard("v");
    expect(picture).toHaveAttribute("data-zoomed", "false");
  });

  it("shows a media-restricted image blurred and fetches the full image only when `v` reveals it", async () => {
    const requested: string[] = [];
    // Records what the workspace preloads (new Image().src) for the items waiting behind.
    class RecordingImage {
      private value = "";
      get src() {
        return this.value;
      }
      set src(value: string) {
        this.value = value;
        requested.push(value);
      }
      decode() {
        return Promise.resolve();
      }
    }
    vi.stubGlobal("Image", RecordingImage);
    try {
      const user = userEvent.setup();
      const restricted = (id: number) => ({
        ...assignment(id).item,
        text: null,
        image_url: `/api/v1/projects/1/items/${id}/image/`,
        thumbnail_url: `/api/v1/projects/1/items/${id}/thumbnail/`,
        media_restricted: true,
      });
      const server = fakeQueueServer({
        items: [assignment(1, { item: restricted(1) }), assignment(2, { item: restricted(2) })],
      });
      const { container } = renderWorkspace({ ...PROJECT, data_type: "image" });
      await ready(server, 1);

      expect(screen.getByTestId("annotate-image-blurred")).toHaveAttribute("src", "/api/v1/projects/1/items/1/thumbnail/");
      expect(container.querySelector('img[src$="/image/"]')).toBeNull();
      await waitFor(() => expect(requested).toContain("/api/v1/projects/1/items/2/thumbnail/"));
      expect(requested.filter((src) => src.endsWith("/image/"))).toEqual([]);

      await user.keyboard("v");
      expect(screen.getByTestId("annotate-image")).toHaveAttribute("src", "/api/v1/projects/1/items/1/image/");
      expect(screen.getByTestId("annotate-reveal")).toHaveAttribute("aria-pressed", "true");
      await user.keyboard("v");
      expect(screen.getByTestId("annotate-image-blurred")).toBeInTheDocument();
      expect(screen.queryByTestId("annotate-image")).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("shows the progress figures and a quiet notice when a new model goes live", async () => {
    let version = 3;
    const server = fakeQueueServer({
      items: [assignment(1), assignment(2)],
      stats: () =>
        queueStats(
          version === 3
            ? {}
            : { model: { version: 4, roc_auc: 0.94, previous_roc_auc: 0.92, created_at: "2024-05-01T11:00:00Z" } },
        ),
    });
    const { queryClient } = renderWorkspace();
    await ready(server, 1);

    await waitFor(() => expect(screen.getByTestId("stats-done-today")).toHaveTextContent("12"));
    expect(screen.getByTestId("stats-rate")).toHaveTextContent("96/h");
    expect(screen.getByTestId("stats-acceptance")).toHaveTextContent("75%");
    expect(screen.getByTestId("stats-queue-size")).toHaveTextContent("300");
    expect(screen.queryByTestId("model-notice")).not.toBeInTheDocument();

    version = 4;
    await queryClient.invalidateQueries({ queryKey: ["projects", 1, "queue", "stats"] });
    expect(await screen.findByTestId("model-notice")).toHaveTextContent("Model v4 is now live: ROC AUC 0.94 (+0.02)");
  });
});
