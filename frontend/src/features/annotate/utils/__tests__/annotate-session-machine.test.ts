// @vitest-environment node
// The state machine runs without a DOM, a network or a clock: every test here is plain data in,
// plain data out.
import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/api-client";

import { assignment } from "../../testing/fake-queue-server";
import type { Assignment, QueueAnnotation } from "../../types";
import { HISTORY_KEPT, sessionTransition } from "../annotate-session-machine";
import {
  initialSession,
  type KeyStamp,
  type SessionEffect,
  type SessionEvent,
  type SessionModel,
  sessionView,
} from "../annotate-session-model";

let keys = 0;

/** A key press at time `at` (ms), with a fresh client key. */
function stamp(at = 0): KeyStamp {
  keys += 1;
  return { at, key: `key-${keys}`, queuedAt: 1_714_550_000_000 + at };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Apply events in order (the model frozen, so a change in place throws); collect the effects. */
function play(model: SessionModel, events: SessionEvent[], now = 0) {
  const effects: SessionEffect[] = [];
  let state = deepFreeze(model);
  for (const event of events) {
    const transition = sessionTransition(state, event, now);
    state = deepFreeze(transition.model);
    effects.push(...transition.effects);
  }
  return { model: state, effects };
}

/** A session showing `shown[0]` since time 0, the rest prefetched. */
function working(shown: Assignment[], multilabel = false): SessionModel {
  return play(initialSession(multilabel), [{ type: "resumed", assignments: shown }]).model;
}

function annotation(id: number, itemId: number, labels: string[], clientKey: string): QueueAnnotation {
  return {
    id,
    item: itemId,
    labels,
    outcome: "corrected",
    suggested_labels: ["spam"],
    suggested_by_version: 2,
    time_on_item_ms: 900,
    client: "web",
    client_key: clientKey,
    created_at: "2024-05-01T09:00:00Z",
    updated_at: "2024-05-01T09:00:00Z",
  };
}

describe("the annotate session's state machine", () => {
  it("shows resumed items, preloads them and asks for more", () => {
    const { model, effects } = play(initialSession(false), [
      { type: "resumed", assignments: [assignment(1), assignment(2), assignment(1)] },
    ]);

    expect(sessionView(model)).toMatchObject({ status: "working", current: { item: { id: 1 } } });
    expect(sessionView(model).prefetched.map((held) => held.item.id)).toEqual([2]);
    expect(effects.map((effect) => effect.type)).toEqual(["preload", "preload", "fill"]);
  });

  it("answers with the proposal and shows the next held item at once, timing the answer", () => {
    const resumed: SessionEvent = { type: "resumed", assignments: [assignment(1), assignment(2)] };
    const shownAt = play(initialSession(false), [resumed], 1_000);
    const press = stamp(3_450);
    const { model, effects } = play(shownAt.model, [{ type: "accept", ...press }], 3_500);

    expect(effects).toEqual([
      {
        type: "enqueue",
        op: {
          kind: "submit",
          id: press.key,
          itemId: 1,
          externalId: "item-1",
          labels: ["spam"],
          timeOnItemMs: 2_450,
          queuedAt: press.queuedAt,
        },
      },
      { type: "unload", itemId: 1 },
      { type: "fill" },
    ]);
    expect(sessionView(model)).toMatchObject({ status: "working", current: { item: { id: 2 } }, historySize: 1 });
    expect(model.shownAt).toBe(3_500);
    expect(model.keypressAt).toBe(3_450);
  });

  it("waits for the next item when none is held, and says so once nothing is left", () => {
    const answered = play(working([assignment(1)]), [{ type: "skip", ...stamp() }]);
    expect(answered.model.status).toBe("waiting");
    expect(answered.effects[0]).toMatchObject({ type: "enqueue", op: { kind: "skip", itemId: 1 } });

    const empty = play(answered.model, [{ type: "nothingLeft", message: "" }]);
    expect(sessionView(empty.model)).toMatchObject({
      status: "done",
      message: "There is nothing left for you to label right now.",
    });
    expect(empty.effects).toEqual([{ type: "recheck", wait: "empty" }]);
  });

  it("refuses the rejected proposal as the answer, and Esc steps back out of reject mode", () => {
    const rejecting = play(working([assignment(1)]), [{ type: "reject" }, { type: "pick", label: "spam", ...stamp() }]);
    expect(rejecting.model.mode).toBe("reject");
    expect(rejecting.model.notice?.text).toBe(
      "spam is the proposal you rejected: pick another label, or press Esc to go back.",
    );
    expect(rejecting.effects).toEqual([]);

    expect(play(rejecting.model, [{ type: "escape" }]).model).toMatchObject({ mode: "choose", notice: null });
    const corrected = play(rejecting.model, [{ type: "pick", label: "ham", ...stamp() }]);
    expect(corrected.effects[0]).toMatchObject({ type: "enqueue", op: { kind: "submit", labels: ["ham"] } });
  });

  it("toggles labels in a multilabel project and sends them with Enter", () => {
    const session = working([assignment(1), assignment(2)], true);
    const nothing = play(session, [{ type: "confirm", ...stamp() }]);
    expect(nothing.model.notice?.text).toBe("Pick at least one label first (or press space to skip).");

    const { model, effects } = play(session, [
      { type: "pick", label: "ham", ...stamp() },
      { type: "pick", label: "spam", ...stamp() },
      { type: "pick", label: "ham", ...stamp() },
      { type: "pick", label: "eggs", ...stamp() },
      { type: "confirm", ...stamp() },
    ]);
    expect(effects[0]).toMatchObject({ type: "enqueue", op: { kind: "submit", labels: ["spam", "eggs"] } });
    expect(model.selection).toEqual([]);
    expect(sessionView(model).current?.item.id).toBe(2);
  });

  it("reopens the last answer on undo and sends a change as an edit of that answer", () => {
    const first = stamp();
    const answered = play(working([assignment(1), assignment(2)]), [{ type: "pick", label: "ham", ...first }]).model;

    const reopened = play(answered, [{ type: "undo" }]);
    expect(reopened.model.editing).toMatchObject({ index: 0, entry: { key: first.key, labels: ["ham"] } });
    expect(reopened.effects).toEqual([]);

    const same = play(reopened.model, [{ type: "pick", label: "ham", ...stamp() }]);
    expect(same.model.editing).toBeNull();
    expect(same.model.notice?.text).toBe("Item item-1 keeps its label.");
    expect(same.effects).toEqual([]);

    const change = stamp();
    const changed = play(reopened.model, [
      {
        type: "answerSaved",
        op: { kind: "skip", id: "other", itemId: 9, externalId: "item-9", queuedAt: 0 },
        annotation: null,
      },
      { type: "pick", label: "spam", ...change },
    ]);
    expect(changed.effects).toEqual([
      {
        type: "enqueue",
        op: {
          kind: "edit",
          id: change.key,
          itemId: 1,
          externalId: "item-1",
          target: first.key,
          annotationId: null,
          labels: ["spam"],
          queuedAt: change.queuedAt,
        },
      },
    ]);
    expect(changed.model.history[0]?.labels).toEqual(["spam"]);
    expect(changed.model.notice?.text).toBe("Changed item item-1 to spam.");
    // Changing an earlier answer does not count as time on the item on screen.
    expect(play(reopened.model, [{ type: "escape" }], 7_000).model.shownAt).toBe(7_000);
  });

  it("learns the annotation id of a saved answer, for a later edit", () => {
    const first = stamp();
    const answered = play(working([assignment(1), assignment(2)]), [{ type: "pick", label: "ham", ...first }]).model;
    const op = {
      kind: "submit" as const,
      id: first.key,
      itemId: 1,
      externalId: "item-1",
      labels: ["ham"],
      timeOnItemMs: 0,
      queuedAt: 0,
    };
    const { effects } = play(answered, [
      { type: "answerSaved", op, annotation: annotation(77, 1, ["ham"], first.key) },
      { type: "undo" },
      { type: "pick", label: "spam", ...stamp() },
    ]);
    expect(effects[0]).toMatchObject({ type: "enqueue", op: { kind: "edit", annotationId: 77 } });
  });

  it("reaches back into the server's history, loading an earlier item when it is reopened", () => {
    const earlier = annotation(55, 4, ["ham"], "earlier-key");
    const loaded = play(working([assignment(1)]), [
      { type: "historyLoaded", annotations: [earlier, annotation(54, 3, ["spam"], "")] },
    ]).model;
    expect(loaded.history.map((entry) => entry.key)).toEqual(["annotation-54", "earlier-key"]);

    const reopened = play(loaded, [{ type: "undo" }]);
    expect(reopened.effects).toEqual([{ type: "loadItem", key: "earlier-key", itemId: 4 }]);
    const shown = play(reopened.model, [{ type: "itemLoaded", key: "earlier-key", item: assignment(4).item }]).model;
    expect(shown.editing?.entry.item?.external_id).toBe("item-4");
    expect(shown.history[1]?.item?.id).toBe(4);

    const failed = play(reopened.model, [{ type: "itemUnavailable", key: "earlier-key", error: new Error("Gone.") }]);
    expect(failed.model.editing?.error).toBe("Gone.");

    const back = play(reopened.model, [{ type: "undo" }, { type: "undo" }]);
    expect(back.model.editing?.index).toBe(0);
    expect(back.model.notice?.text).toBe("There is no earlier label to change.");
  });

  it("says undo is loading before the history arrived, and has nothing to undo after", () => {
    expect(play(working([assignment(1)]), [{ type: "undo" }]).model.notice?.text).toBe("Loading your recent labels…");
    const loaded = play(working([assignment(1)]), [{ type: "historyUnavailable" }, { type: "undo" }]);
    expect(loaded.model.notice?.text).toBe("Nothing to undo yet.");
  });

  it(`keeps the last ${HISTORY_KEPT} answers for undo`, () => {
    const items = Array.from({ length: HISTORY_KEPT + 5 }, (_, index) => assignment(index + 1));
    const answers: SessionEvent[] = items.map(() => ({ type: "pick", label: "ham", ...stamp() }));
    const { model } = play(working(items), answers);
    expect(model.history).toHaveLength(HISTORY_KEPT);
    expect(model.history[0]?.itemId).toBe(6);
  });

  it("lets go of an item whose lease ran out, and moves on if it was on screen", () => {
    const session = working([assignment(1), assignment(2)]);
    const expired = new ApiError("Your lease on this item has expired.", { status: 409 });

    const lost = play(session, [{ type: "renewFailed", assignment: assignment(1), error: expired }], 60_000);
    expect(sessionView(lost.model).current?.item.id).toBe(2);
    expect(lost.model.notice).toEqual({
      text: "Your hold on item item-1 ran out and it went back to the queue; here is the next one.",
      tone: "warning",
    });
    expect(lost.effects).toEqual([{ type: "unload", itemId: 1 }, { type: "fill" }]);

    const offline = play(session, [
      { type: "renewFailed", assignment: assignment(1), error: new TypeError("offline") },
    ]);
    expect(offline.model).toBe(session);
  });

  it("keeps a renewed lease's item as it was shown", () => {
    const held = assignment(1);
    const renewed = { ...assignment(1), expires_at: "2024-05-01T10:06:00Z" };
    const { model } = play(working([held]), [{ type: "leaseRenewed", held, renewed }]);
    expect(model.queue[0]).toMatchObject({ expires_at: "2024-05-01T10:06:00Z" });
    expect(model.queue[0]?.item).toBe(held.item);
  });

  it("asks for the next item again sooner or later depending on why it failed", () => {
    const waiting = play(initialSession(false), [{ type: "resumed", assignments: [] }]).model;
    const limit = play(waiting, [{ type: "nextFailed", error: new ApiError("You hold 20 items.", { status: 409 }) }]);
    expect(limit.effects).toEqual([{ type: "recheck", wait: "leaseLimit" }]);
    expect(sessionView(limit.model)).toMatchObject({
      status: "error",
      message: "You hold 20 items. Your answers are being saved; new items follow as soon as they are.",
    });

    const refused = play(waiting, [{ type: "nextFailed", error: new ApiError("No access.", { status: 403 }) }]);
    expect(refused.effects).toEqual([{ type: "recheck", wait: "empty" }]);
    expect(refused.model.message).toBe("Could not get the next item: No access.");

    const down = play(waiting, [{ type: "nextFailed", error: new ApiError("Oops.", { status: 502 }) }]);
    expect(down.effects).toEqual([{ type: "recheck", wait: "backoff" }]);

    // With an item on screen the person keeps working; only the recheck is planned.
    const busy = working([assignment(1)]);
    const quiet = play(busy, [{ type: "nextFailed", error: new TypeError("offline") }]);
    expect(quiet.model).toBe(busy);
    expect(quiet.effects).toEqual([{ type: "recheck", wait: "backoff" }]);
  });

  it("flags the item on screen once, and takes the flag back if the server refused it", () => {
    const session = working([assignment(1)]);
    const flagged = play(session, [{ type: "flag" }, { type: "flag" }]);
    expect(flagged.effects).toEqual([{ type: "flag", item: assignment(1).item }]);
    expect(flagged.model.flagged).toEqual([1]);
    expect(flagged.model.notice?.text).toBe("Item item-1 is already flagged for review.");

    const refused = play(flagged.model, [
      { type: "flagFailed", item: assignment(1).item, error: new ApiError("No.", { status: 403 }) },
    ]);
    expect(refused.model.flagged).toEqual([]);
    expect(refused.model.notice).toEqual({ text: "Could not flag item item-1: No.", tone: "error" });
  });

  it("skips with the reason given and says so; space alone skips with none", () => {
    const withReason = play(working([assignment(1), assignment(2)]), [{ type: "skip", reason: " Not readable ", ...stamp() }]);
    expect(withReason.effects[0]).toMatchObject({ type: "enqueue", op: { kind: "skip", itemId: 1, reason: "Not readable" } });
    expect(withReason.model.notice).toEqual({ text: "Skipped item item-1 — Not readable.", tone: "info" });

    const plain = play(working([assignment(1), assignment(2)]), [{ type: "skip", ...stamp() }]);
    expect(plain.effects[0]).toMatchObject({ type: "enqueue", op: { kind: "skip", itemId: 1 } });
    expect(plain.effects[0]).not.toHaveProperty("op.reason");
    expect(plain.model.notice?.text).toBe("Skipped item item-1 — no reason given.");
  });

  it("asks for a skip reason with the keys on hold, and Esc keeps the item", () => {
    const asked = play(working([assignment(1), assignment(2)]), [{ type: "askReason", kind: "skip" }]);
    expect(sessionView(asked.model).prompt).toEqual({ kind: "skip", itemId: 1, externalId: "item-1" });

    const held = play(asked.model, [{ type: "pick", label: "ham", ...stamp() }, { type: "accept", ...stamp() }, { type: "undo" }]);
    expect(held.model).toBe(asked.model);
    expect(held.effects).toEqual([]);

    const cancelled = play(asked.model, [{ type: "escape" }]);
    expect(cancelled.model.prompt).toBeNull();
    expect(sessionView(cancelled.model).current?.item.id).toBe(1);
  });

  it("flags with the reason asked for, and drops the prompt if the item's lease runs out", () => {
    const asked = play(working([assignment(1), assignment(2)]), [{ type: "askReason", kind: "flag" }]);
    const flagged = play(asked.model, [{ type: "flag", reason: "two labels fit" }]);
    expect(flagged.effects).toEqual([{ type: "flag", item: assignment(1).item, reason: "two labels fit" }]);
    expect(flagged.model.prompt).toBeNull();
    expect(flagged.model.notice?.text).toBe("Flagged item item-1 for review — two labels fit.");
    const again = play(flagged.model, [{ type: "askReason", kind: "flag" }]);
    expect(again.model.prompt).toBeNull();
    expect(again.model.notice?.text).toBe("Item item-1 is already flagged for review.");

    const lost = play(asked.model, [
      { type: "renewFailed", assignment: assignment(1), error: new ApiError("Gone.", { status: 409 }) },
    ]);
    expect(lost.model.prompt).toBeNull();
    expect(sessionView(lost.model).current?.item.id).toBe(2);
  });

  it("says a resume failed without stopping the session", () => {
    const { model, effects } = play(initialSession(false), [{ type: "resumeFailed", error: new TypeError("offline") }]);
    expect(model.status).toBe("waiting");
    expect(model.notice?.tone).toBe("warning");
    expect(model.notice?.text).toMatch(/^Could not resume your open items: /);
    expect(effects).toEqual([{ type: "fill" }]);
  });
});
