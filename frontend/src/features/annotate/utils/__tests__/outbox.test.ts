import { describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/api-client";

import type { QueueAnnotation } from "../../types";
import { type EditOp, Outbox, type OutboxTransport, type SkipOp, type SubmitOp } from "../outbox";

/** A clock the test moves by hand; backoff has no jitter (random = 0.5). */
function manualClock() {
  let now = 1_000;
  let timers: { at: number; run: () => void }[] = [];
  return {
    clock: {
      now: () => now,
      setTimeout: (run: () => void, ms: number) => {
        const timer = { at: now + ms, run };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (handle: unknown) => {
        timers = timers.filter((timer) => timer !== handle);
      },
      random: () => 0.5,
    },
    async advance(ms: number) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.run();
      await settle();
    },
  };
}

async function settle() {
  for (let index = 0; index < 10; index += 1) await Promise.resolve();
}

function annotation(id: number, labels: string[]): QueueAnnotation {
  return {
    id,
    item: 1,
    labels,
    outcome: "accepted",
    suggested_labels: [],
    suggested_by_version: null,
    time_on_item_ms: 10,
    client: "web",
    client_key: "k",
    created_at: "2024-05-01T10:00:00Z",
    updated_at: "2024-05-01T10:00:00Z",
  };
}

function submitOp(id: string, itemId: number, labels = ["spam"]): SubmitOp {
  return { kind: "submit", id, itemId, externalId: `item-${itemId}`, labels, timeOnItemMs: 1200, queuedAt: itemId };
}

function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    key: (index: number) => [...data.keys()][index] ?? null,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
    clear: () => data.clear(),
  };
}

function transport(overrides: Partial<OutboxTransport> = {}): OutboxTransport {
  return {
    submit: vi.fn(async (op: SubmitOp) => annotation(op.itemId * 10, op.labels)),
    edit: vi.fn(async (annotationId: number, op: EditOp) => annotation(annotationId, op.labels)),
    skip: vi.fn(async (_op: SkipOp) => undefined),
    ...overrides,
  };
}

describe("Outbox", () => {
  it("sends ops one at a time, oldest first, and forgets them once saved", async () => {
    const storage = memoryStorage();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      release = resolve;
    });
    const send = transport({
      submit: vi.fn(async (op: SubmitOp) => {
        order.push(`start ${op.id}`);
        if (op.id === "a") await first;
        order.push(`end ${op.id}`);
        return annotation(op.itemId, op.labels);
      }),
    });
    const outbox = new Outbox({ transport: send, storage, storageKey: "t", clock: manualClock().clock });
    outbox.load();

    outbox.enqueue(submitOp("a", 1));
    outbox.enqueue(submitOp("b", 2));
    await settle();
    expect(order).toEqual(["start a"]);
    expect(outbox.getSnapshot().pending.map((entry) => entry.op.id)).toEqual(["a", "b"]);
    expect(storage.getItem("t:op:b")).not.toBeNull();

    release();
    await settle();
    expect(order).toEqual(["start a", "end a", "start b", "end b"]);
    expect(outbox.getSnapshot().pending).toEqual([]);
    expect(storage.getItem("t:op:a")).toBeNull();
    expect(storage.getItem("t:op:b")).toBeNull();
    expect(outbox.annotationIdFor("a")).toBe(1);
  });

  it("retries network and server errors with growing waits until the op goes through", async () => {
    const { clock, advance } = manualClock();
    const submit = vi
      .fn<(op: SubmitOp) => Promise<QueueAnnotation>>()
      .mockRejectedValueOnce(new ApiError("Could not reach the server.", { status: 0 }))
      .mockRejectedValueOnce(new ApiError("The server is unavailable right now.", { status: 503 }))
      .mockResolvedValue(annotation(5, ["spam"]));
    const outbox = new Outbox({ transport: transport({ submit }), storage: null, storageKey: "t", clock });
    const saved = vi.fn();
    outbox.onSaved(saved);

    outbox.enqueue(submitOp("a", 1));
    await settle();
    let [entry] = outbox.getSnapshot().pending;
    expect(entry).toMatchObject({ attempts: 1, lastError: "Could not reach the server.", sending: false });
    expect(entry?.retryAt).toBe(clock.now() + 500);

    await advance(499);
    expect(submit).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(submit).toHaveBeenCalledTimes(2);
    [entry] = outbox.getSnapshot().pending;
    expect(entry).toMatchObject({ attempts: 2, lastError: "The server is unavailable right now." });
    expect(entry?.retryAt).toBe(clock.now() + 1000);

    await advance(1000);
    expect(submit).toHaveBeenCalledTimes(3);
    expect(outbox.getSnapshot().pending).toEqual([]);
    expect(saved).toHaveBeenCalledTimes(1);
    // Every try carried the same op, so the same client key.
    expect(new Set(submit.mock.calls.map(([op]) => op.id))).toEqual(new Set(["a"]));
  });

  it("keeps a refused op as failed, without retrying, until it is dismissed", async () => {
    const storage = memoryStorage();
    const { clock, advance } = manualClock();
    const submit = vi.fn(async () => {
      throw new ApiError("Your lease on this item has expired.", { status: 409 });
    });
    const outbox = new Outbox({ transport: transport({ submit }), storage, storageKey: "t", clock });

    outbox.enqueue(submitOp("a", 1));
    outbox.enqueue({ kind: "skip", id: "s", itemId: 2, externalId: "item-2", queuedAt: 2 });
    await settle();
    await advance(60_000);

    expect(submit).toHaveBeenCalledTimes(1);
    expect(outbox.getSnapshot()).toMatchObject({
      pending: [],
      failed: [{ op: { id: "a" }, message: "Your lease on this item has expired.", status: 409 }],
    });
    // A reload shows the failure again.
    const reloaded = new Outbox({ transport: transport(), storage, storageKey: "t", clock });
    reloaded.load();
    expect(reloaded.getSnapshot().failed.map((entry) => entry.op.id)).toEqual(["a"]);

    outbox.dismiss("a");
    expect(outbox.getSnapshot().failed).toEqual([]);
    expect(storage.getItem("t:op:a")).toBeNull();
  });

  it("sends what an earlier page left unsent after a reload, with the same client key", async () => {
    const storage = memoryStorage();
    const never = transport({ submit: vi.fn(() => new Promise<QueueAnnotation>(() => undefined)) });
    const before = new Outbox({ transport: never, storage, storageKey: "u1.p1", clock: manualClock().clock });
    before.enqueue(submitOp("key-1", 1, ["ham"]));
    before.enqueue(submitOp("key-2", 2, ["spam"]));
    // Another user's and another project's entries are not this outbox's.
    storage.setItem("u2.p1:op:x", JSON.stringify({ op: submitOp("x", 9) }));

    const after = transport();
    const reloaded = new Outbox({ transport: after, storage, storageKey: "u1.p1", clock: manualClock().clock });
    reloaded.load();
    await settle();

    expect(vi.mocked(after.submit).mock.calls.map(([op]) => [op.id, op.itemId, op.labels])).toEqual([
      ["key-1", 1, ["ham"]],
      ["key-2", 2, ["spam"]],
    ]);
    expect(storage.getItem("u1.p1:op:key-1")).toBeNull();
    expect(storage.getItem("u2.p1:op:x")).not.toBeNull();
  });

  it("changes an answer sent earlier by the annotation it became", async () => {
    const send = transport();
    const outbox = new Outbox({ transport: send, storage: null, storageKey: "t", clock: manualClock().clock });

    outbox.enqueue(submitOp("answer", 4, ["ham"]));
    outbox.enqueue({
      kind: "edit",
      id: "edit-1",
      itemId: 4,
      externalId: "item-4",
      target: "answer",
      annotationId: null,
      labels: ["spam"],
      queuedAt: 5,
    });
    await settle();

    expect(send.edit).toHaveBeenCalledWith(40, expect.objectContaining({ labels: ["spam"] }));
    expect(outbox.getSnapshot().pending).toEqual([]);
  });

  it("fails an edit whose answer was never saved, without sending it", async () => {
    const send = transport({
      submit: vi.fn(async () => {
        throw new ApiError("Your lease on this item has expired.", { status: 409 });
      }),
    });
    const outbox = new Outbox({ transport: send, storage: null, storageKey: "t", clock: manualClock().clock });

    outbox.enqueue(submitOp("answer", 4));
    outbox.enqueue({
      kind: "edit",
      id: "edit-1",
      itemId: 4,
      externalId: "item-4",
      target: "answer",
      annotationId: null,
      labels: ["ham"],
      queuedAt: 5,
    });
    await settle();

    expect(send.edit).not.toHaveBeenCalled();
    expect(outbox.getSnapshot().failed.map((entry) => [entry.op.id, entry.message])).toEqual([
      ["answer", "Your lease on this item has expired."],
      ["edit-1", "The label it changes was not saved either."],
    ]);
  });
});
