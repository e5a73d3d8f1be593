import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/api-client";

import { assignment, page } from "../../testing/fake-queue-server";
import type { Assignment, NextAssignment, QueueAnnotation, SubmittedAnnotation } from "../../types";
import { AnnotateSession, RENEW_EVERY_MS, type SessionApi } from "../annotate-session";
import { Outbox, type SkipOp, type SubmitOp } from "../outbox";

async function settle() {
  for (let index = 0; index < 20; index += 1) await Promise.resolve();
}

function fakeApi(items: Assignment[], overrides: Partial<SessionApi> = {}) {
  const queue = [...items];
  const api: SessionApi = {
    next: vi.fn(async (): Promise<NextAssignment> => {
      const next = queue.shift() ?? null;
      return { assignment: next, message: next ? "" : "Nothing left." };
    }),
    openAssignments: vi.fn(async () => page<Assignment>([])),
    renew: vi.fn(async (itemId: number) => assignment(itemId)),
    release: vi.fn(),
    releasedRecently: () => false,
    history: vi.fn(async () => page<QueueAnnotation>([])),
    item: vi.fn(async (itemId: number) => assignment(itemId).item),
    flag: vi.fn(async (itemId: number) => ({
      id: 1,
      item: itemId,
      item_external_id: `item-${itemId}`,
      user: "ann",
      reason: "",
      created_at: "2024-05-01T10:00:00Z",
      resolved_at: null,
      resolved_by: null,
    })),
    ...overrides,
  };
  return api;
}

function outbox(submit = vi.fn(() => new Promise<QueueAnnotation>(() => undefined))) {
  return new Outbox({
    storage: null,
    storageKey: "test",
    transport: { submit, edit: vi.fn(), skip: vi.fn(async () => undefined) },
  });
}

function stored(op: SubmitOp, id = 100): QueueAnnotation {
  return {
    id,
    item: op.itemId,
    labels: op.labels,
    outcome: "corrected",
    suggested_labels: ["spam"],
    suggested_by_version: 3,
    time_on_item_ms: op.timeOnItemMs,
    client: "web",
    client_key: op.id,
    created_at: "2024-05-01T10:00:00Z",
    updated_at: "2024-05-01T10:00:00Z",
  };
}

/**
 * A queue behind both the session's `next` and the outbox's answers, as the server is: an answer
 * that asks for `next` takes the following item off the same queue.
 */
function roundTripServer(items: Assignment[]) {
  const queue = [...items];
  const take = (): NextAssignment => {
    const next = queue.shift() ?? null;
    return { assignment: next, message: next ? "" : "Nothing left." };
  };
  const api = fakeApi([], { next: vi.fn(async () => take()) });
  const submit = vi.fn(async (op: SubmitOp): Promise<SubmittedAnnotation> => ({ ...stored(op), next: op.next ? take() : null }));
  const skip = vi.fn(async (op: SkipOp) => (op.next ? take() : null));
  const release = vi.fn();
  const box = new Outbox({ storage: null, storageKey: "test", transport: { submit, edit: vi.fn(), skip }, release });
  return { api, submit, skip, release, box };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("AnnotateSession", () => {
  it("keeps the item on screen and one more leased, and shows the next at once on an answer", async () => {
    const { api, submit, box } = roundTripServer([assignment(1), assignment(2), assignment(3), assignment(4)]);
    const session = new AnnotateSession({ api, outbox: box, multilabel: false });
    await session.start();
    await settle();

    expect(session.getSnapshot().current?.item.id).toBe(1);
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([2]);
    expect(api.next).toHaveBeenCalledTimes(2);

    session.pick("ham", 0);
    // No request stood between the key and the next item.
    expect(session.getSnapshot().current?.item.id).toBe(2);
    await settle();
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([3]);
    // The answer brought the next item with it: one request per label, no separate next call.
    expect(submit).toHaveBeenCalledWith(expect.objectContaining({ itemId: 1, next: true }));
    expect(api.next).toHaveBeenCalledTimes(2);

    session.pick("spam", 0);
    await settle();
    expect(session.getSnapshot().current?.item.id).toBe(3);
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([4]);
    expect(api.next).toHaveBeenCalledTimes(2);
    session.stop();
  });

  it("leases the next item itself when an answer's first try fails, and the retry asks for none", async () => {
    const { api } = roundTripServer([assignment(1), assignment(2), assignment(3), assignment(4)]);
    let tries = 0;
    const flaky = vi.fn(async (op: SubmitOp): Promise<SubmittedAnnotation> => {
      tries += 1;
      if (tries === 1) throw new TypeError("Failed to fetch");
      return { ...stored(op), next: null };
    });
    const outboxWithFlakySubmit = new Outbox({
      storage: null,
      storageKey: "test",
      transport: { submit: flaky, edit: vi.fn(), skip: vi.fn(async () => null) },
      clock: { random: () => 0 },
    });
    const session = new AnnotateSession({ api, outbox: outboxWithFlakySubmit, multilabel: false });
    await session.start();
    await settle();

    session.pick("ham", 0);
    await settle();
    expect(flaky).toHaveBeenNthCalledWith(1, expect.objectContaining({ next: true }));
    // The failed try brings nothing: the session asked for the next item on its own.
    expect(api.next).toHaveBeenCalledTimes(3);
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([3]);

    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(flaky).toHaveBeenNthCalledWith(2, expect.objectContaining({ next: false }));
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([3]);
    session.stop();
  });

  it("skips with a reason and takes the next item from the skip's answer", async () => {
    const { api, skip, box } = roundTripServer([assignment(1), assignment(2), assignment(3)]);
    const session = new AnnotateSession({ api, outbox: box, multilabel: false });
    await session.start();
    await settle();

    session.askSkipReason();
    expect(session.getSnapshot().prompt).toEqual({ kind: "skip", itemId: 1, externalId: "item-1" });
    session.pick("ham", 0); // label keys wait while the reason is asked for
    expect(session.getSnapshot().current?.item.id).toBe(1);
    session.skip(0, "Not readable");
    await settle();

    expect(skip).toHaveBeenCalledWith(expect.objectContaining({ itemId: 1, reason: "Not readable", next: true }));
    expect(session.getSnapshot().notice?.text).toBe("Skipped item item-1 — Not readable.");
    expect(session.getSnapshot().prompt).toBeNull();
    expect(session.getSnapshot().prefetched.map((held) => held.item.id)).toEqual([3]);
    expect(api.next).toHaveBeenCalledTimes(2);
    session.stop();
  });

  it("asks why before flagging and sends the reason", async () => {
    const api = fakeApi([assignment(1), assignment(2)]);
    const session = new AnnotateSession({ api, outbox: outbox(), multilabel: false });
    await session.start();
    await settle();

    session.flag();
    expect(api.flag).not.toHaveBeenCalled();
    expect(session.getSnapshot().prompt).toEqual({ kind: "flag", itemId: 1, externalId: "item-1" });
    session.sendFlag("two labels fit");
    await settle();

    expect(api.flag).toHaveBeenCalledWith(1, "two labels fit");
    expect(session.getSnapshot().flaggedItemIds).toEqual([1]);
    expect(session.getSnapshot().notice?.text).toBe("Flagged item item-1 for review — two labels fit.");
    session.flag();
    session.closePrompt();
    expect(session.getSnapshot().prompt).toBeNull();
    session.stop();
  });

  it("renews held leases every minute and moves on when the one on screen ran out", async () => {
    const renew = vi.fn(async (itemId: number) => {
      if (itemId === 1) throw new ApiError("Your lease on this item has expired.", { status: 409 });
      return assignment(itemId);
    });
    const api = fakeApi([assignment(1), assignment(2), assignment(3)], { renew });
    const session = new AnnotateSession({ api, outbox: outbox(), multilabel: false });
    await session.start();
    await settle();

    await vi.advanceTimersByTimeAsync(RENEW_EVERY_MS);
    await settle();
    expect(renew.mock.calls.map(([itemId]) => itemId).sort()).toEqual([1, 2]);
    const state = session.getSnapshot();
    expect(state.current?.item.id).toBe(2);
    expect(state.notice?.text).toContain("Your hold on item item-1 ran out");
    session.stop();
  });

  it("gives back unanswered items when stopped, but not those whose answer is on its way", async () => {
    let land: () => void = () => undefined;
    const { api, release } = roundTripServer([assignment(1), assignment(2), assignment(3)]);
    const slow = new Outbox({
      storage: null,
      storageKey: "test",
      transport: {
        submit: (op: SubmitOp) =>
          new Promise<SubmittedAnnotation>((resolve) => {
            land = () => resolve({ ...stored(op), next: { assignment: assignment(3), message: "" } });
          }),
        edit: vi.fn(),
        skip: vi.fn(async () => null),
      },
      release,
    });
    const session = new AnnotateSession({ api, outbox: slow, multilabel: false });
    await session.start();
    await settle();

    session.pick("spam", 0); // item 1's answer is still on its way
    await settle();
    session.stop();
    expect(vi.mocked(api.release).mock.calls.map(([itemId]) => itemId)).toEqual([2]);

    // It lands after the page was left: the item it brought goes straight back.
    land();
    await settle();
    expect(release).toHaveBeenCalledWith(3);
  });

  it("gives an item leased after the page was left straight back", async () => {
    let answer: (value: NextAssignment) => void = () => undefined;
    const api = fakeApi([], {
      next: vi.fn(
        () =>
          new Promise<NextAssignment>((resolve) => {
            answer = resolve;
          }),
      ),
    });
    const session = new AnnotateSession({ api, outbox: outbox(), multilabel: false });
    await session.start();
    session.stop();

    answer({ assignment: assignment(9), message: "" });
    await settle();
    expect(api.release).toHaveBeenCalledWith(9);
  });

  it("after a reload, undo reopens the newest label from the server's history", async () => {
    const earlier: QueueAnnotation = {
      id: 55,
      item: 4,
      labels: ["ham"],
      outcome: "corrected",
      suggested_labels: ["spam"],
      suggested_by_version: 2,
      time_on_item_ms: 900,
      client: "web",
      client_key: "earlier-key",
      created_at: "2024-05-01T09:00:00Z",
      updated_at: "2024-05-01T09:00:00Z",
    };
    const edit = vi.fn(async () => earlier);
    const box = new Outbox({
      storage: null,
      storageKey: "test",
      transport: { submit: vi.fn(), edit, skip: vi.fn() },
    });
    const api = fakeApi([assignment(1), assignment(2)], { history: vi.fn(async () => page([earlier])) });
    const session = new AnnotateSession({ api, outbox: box, multilabel: false });
    await session.start();
    await settle();

    session.undo();
    await settle();
    const editing = session.getSnapshot().editing;
    expect(editing?.entry).toMatchObject({ itemId: 4, labels: ["ham"], annotationId: 55 });
    expect(editing?.entry.item?.external_id).toBe("item-4");

    session.pick("spam", 0);
    await settle();
    expect(edit).toHaveBeenCalledWith(55, expect.objectContaining({ labels: ["spam"] }));
    expect(session.getSnapshot().editing).toBeNull();
    expect(session.getSnapshot().current?.item.id).toBe(1);
    session.stop();
  });

  it("records the time from showing an item to the answer", async () => {
    let now = 1_000;
    const submit = vi.fn(() => new Promise<QueueAnnotation>(() => undefined));
    const api = fakeApi([assignment(1), assignment(2)]);
    const session = new AnnotateSession({ api, outbox: outbox(submit), multilabel: false, now: () => now });
    await session.start();
    await settle();

    now = 3_450;
    session.accept(now);
    await settle();
    expect(submit).toHaveBeenCalledWith(expect.objectContaining({ labels: ["spam"], timeOnItemMs: 2_450 }));
    expect(session.takeKeypressTime()).toBe(3_450);
    expect(session.takeKeypressTime()).toBeNull();
    session.stop();
  });
});
