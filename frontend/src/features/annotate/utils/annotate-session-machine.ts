// The annotator's session as a state machine: what each key, each server answer and each lease
// event does to the session, and which effects (outbox ops, requests, timers) should follow.
//
// Pure: no DOM, no network, no clock and no randomness. The caller (AnnotateSession in
// annotate-session.ts) passes in the time and the fresh client key an answer needs, carries the
// effects out, and shows React the view (`sessionView`) of the new state.
import { ApiError, errorMessage } from "@/lib/api-client";

import type { Assignment, AssignmentItem, QueueAnnotation, Suggestion } from "../types";
import type {
  HistoryEntry,
  KeyStamp,
  Notice,
  RecheckWait,
  SessionEffect,
  SessionEvent,
  SessionModel,
  Transition,
} from "./annotate-session-model";
import type { OutboxOp } from "./outbox";

/** Answers kept for undo in one session. */
export const HISTORY_KEPT = 50;

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((label) => set.has(label));
}

/** The server refused (4xx) rather than failed: asking again unchanged will not help. */
function isRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

function isLeaseLimit(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

function unchanged(model: SessionModel): Transition {
  return { model, effects: [] };
}

function say(model: SessionModel, text: string, tone: Notice["tone"]): Transition {
  return { model: { ...model, notice: { text, tone } }, effects: [] };
}

/** What the keys act on: the reopened earlier answer, or the item on screen. */
function target(model: SessionModel): { suggestion: Suggestion | null; item: AssignmentItem | null } | null {
  if (model.editing) return { suggestion: model.editing.entry.suggestion, item: model.editing.entry.item };
  const current = model.queue[0];
  return current ? { suggestion: current.suggestion, item: current.item } : null;
}

/** An item on screen from `now`, or the status saying why there is none. */
function showFirst(model: SessionModel, now: number): SessionModel {
  if (model.queue.length > 0) return { ...model, status: "working", message: "", shownAt: now };
  return { ...model, status: model.exhausted ? "done" : "waiting" };
}

/** Hold another leased item (once), and fetch its image ahead. */
function push(model: SessionModel, assignment: Assignment, effects: SessionEffect[]): SessionModel {
  if (model.queue.some((held) => held.item.id === assignment.item.id)) return model;
  effects.push({ type: "preload", assignment });
  return { ...model, queue: [...model.queue, assignment] };
}

/** Apply `change` to the history entry with this key, and to the answer being changed if it is that one. */
function updateEntry(model: SessionModel, key: string, change: Partial<HistoryEntry>): SessionModel {
  const history = model.history.map((entry) => (entry.key === key ? { ...entry, ...change } : entry));
  const { editing } = model;
  const changed = editing?.entry.key === key ? { ...editing, entry: { ...editing.entry, ...change } } : editing;
  return { ...model, history, editing: changed };
}

/** The item on screen is done with: show the next one (already leased) and lease another. */
function advance(model: SessionModel, at: number, now: number, effects: SessionEffect[]): Transition {
  const [done, ...rest] = model.queue;
  if (done) effects.push({ type: "unload", itemId: done.item.id });
  effects.push({ type: "fill" });
  const next = { ...model, queue: rest, keypressAt: at, mode: "choose" as const, selection: [], notice: null };
  return { model: showFirst(next, now), effects };
}

function answer(model: SessionModel, labels: string[], stamp: KeyStamp, now: number): Transition {
  if (model.editing) return saveEdit(model, labels, stamp, now);
  const current = model.queue[0];
  if (!current) return unchanged(model);
  const op: OutboxOp = {
    kind: "submit",
    id: stamp.key,
    itemId: current.item.id,
    externalId: current.item.external_id,
    labels,
    timeOnItemMs: Math.max(0, Math.round(stamp.at - model.shownAt)),
    queuedAt: stamp.queuedAt,
  };
  const entry: HistoryEntry = {
    key: stamp.key,
    itemId: current.item.id,
    item: current.item,
    suggestion: current.suggestion,
    labels,
    annotationId: null,
  };
  const history = [...model.history, entry].slice(-HISTORY_KEPT);
  return advance({ ...model, history }, stamp.at, now, [{ type: "enqueue", op }]);
}

function openEdit(model: SessionModel, index: number): Transition {
  const entry = model.history[index];
  if (!entry) return unchanged(model);
  const effects: SessionEffect[] = entry.item ? [] : [{ type: "loadItem", key: entry.key, itemId: entry.itemId }];
  return {
    model: {
      ...model,
      editing: { index, entry, error: null },
      mode: "choose",
      selection: model.multilabel ? [...entry.labels] : [],
      notice: null,
    },
    effects,
  };
}

function closeEdit(model: SessionModel, now: number, message?: string): Transition {
  return {
    model: {
      ...model,
      editing: null,
      mode: "choose",
      selection: [],
      notice: message ? { text: message, tone: "info" } : null,
      // Time on the item on screen starts again: the time spent changing another answer is not its.
      shownAt: model.queue.length > 0 ? now : model.shownAt,
    },
    effects: [],
  };
}

function saveEdit(model: SessionModel, labels: string[], stamp: KeyStamp, now: number): Transition {
  const entry = model.editing?.entry;
  if (!entry) return unchanged(model);
  const name = entry.item?.external_id ?? entry.itemId;
  if (sameLabels(labels, entry.labels)) return closeEdit(model, now, `Item ${name} keeps its label.`);
  const op: OutboxOp = {
    kind: "edit",
    id: stamp.key,
    itemId: entry.itemId,
    externalId: entry.item?.external_id ?? String(entry.itemId),
    target: entry.key,
    annotationId: entry.annotationId,
    labels,
    queuedAt: stamp.queuedAt,
  };
  const changed = updateEntry(model, entry.key, { labels });
  const closed = closeEdit(changed, now, `Changed item ${name} to ${labels.join(", ")}.`);
  return { model: closed.model, effects: [{ type: "enqueue", op }] };
}

/** The answers given before this page, oldest first, for undo. */
function historyEntries(annotations: QueueAnnotation[]): HistoryEntry[] {
  return annotations
    .slice()
    .reverse()
    .map((annotation) => ({
      key: annotation.client_key || `annotation-${annotation.id}`,
      itemId: annotation.item,
      item: null,
      suggestion:
        annotation.suggested_labels.length > 0
          ? {
              labels: annotation.suggested_labels,
              confidence: null,
              model_version: annotation.suggested_by_version,
              // A proposal that no model version made was a zero-shot one.
              source: annotation.suggested_by_version === null ? "zero-shot" : "model",
            }
          : null,
      labels: annotation.labels,
      annotationId: annotation.id,
    }));
}

/** A lease ran out (the item may be someone else's now): let go of it and move on. */
function leaseLost(model: SessionModel, assignment: Assignment, now: number): Transition {
  const index = model.queue.findIndex((held) => held.item.id === assignment.item.id);
  if (index < 0) return unchanged(model);
  const effects: SessionEffect[] = [{ type: "unload", itemId: assignment.item.id }, { type: "fill" }];
  // A reason asked for the lost item has nothing left to apply to.
  const prompt = model.prompt?.itemId === assignment.item.id ? null : model.prompt;
  const rest = { ...model, prompt, queue: model.queue.filter((_, i) => i !== index) };
  if (index > 0) return { model: rest, effects };
  const notice: Notice = {
    text:
      `Your hold on item ${assignment.item.external_id} ran out and it went back to the queue; ` +
      "here is the next one.",
    tone: "warning",
  };
  return { model: { ...showFirst(rest, now), mode: "choose", selection: [], notice }, effects };
}

/** Key events that wait while a reason is asked for (the prompt has the keyboard). */
const PROMPT_BLOCKS: ReadonlySet<SessionEvent["type"]> = new Set([
  "accept",
  "reject",
  "pick",
  "confirm",
  "undo",
  "askReason",
]);

/** The item a reason prompt may be opened for: the one on screen (or the earlier one reopened, to flag it). */
function promptItem(model: SessionModel, kind: "skip" | "flag"): AssignmentItem | null {
  if (kind === "skip") return model.editing ? null : (model.queue[0]?.item ?? null);
  return model.editing ? model.editing.entry.item : (model.queue[0]?.item ?? null);
}

/** Where the session goes on `event`, at time `now` (the caller's clock, for "shown at"). */
export function sessionTransition(model: SessionModel, event: SessionEvent, now: number): Transition {
  if (model.prompt && PROMPT_BLOCKS.has(event.type)) return unchanged(model);
  switch (event.type) {
    case "askReason": {
      const item = promptItem(model, event.kind);
      if (!item) return unchanged(model);
      if (event.kind === "flag" && model.flagged.includes(item.id)) {
        return say(model, `Item ${item.external_id} is already flagged for review.`, "info");
      }
      const prompt = { kind: event.kind, itemId: item.id, externalId: item.external_id };
      return { model: { ...model, prompt, notice: null }, effects: [] };
    }
    case "closePrompt":
      return model.prompt ? { model: { ...model, prompt: null }, effects: [] } : unchanged(model);
    case "accept": {
      const suggestion = target(model)?.suggestion;
      if (!suggestion || suggestion.labels.length === 0) {
        return say(model, "There is no proposal to accept for this item: pick a label with its key.", "info");
      }
      return answer(model, suggestion.labels, event, now);
    }
    case "reject": {
      const shown = target(model);
      if (!shown) return unchanged(model);
      if (!shown.suggestion || shown.suggestion.labels.length === 0) {
        return say(model, "There is no proposal to reject for this item: pick a label with its key.", "info");
      }
      return { model: { ...model, mode: "reject", selection: [], notice: null }, effects: [] };
    }
    case "pick": {
      const shown = target(model);
      if (!shown) return unchanged(model);
      const { label } = event;
      if (model.multilabel) {
        const selection = model.selection.includes(label)
          ? model.selection.filter((selected) => selected !== label)
          : [...model.selection, label];
        return { model: { ...model, selection, notice: null }, effects: [] };
      }
      if (model.mode === "reject" && shown.suggestion?.labels.includes(label)) {
        const text = `${label} is the proposal you rejected: pick another label, or press Esc to go back.`;
        return say(model, text, "info");
      }
      return answer(model, [label], event, now);
    }
    case "confirm": {
      const shown = target(model);
      if (!model.multilabel || !shown) return unchanged(model);
      if (model.selection.length === 0) {
        return say(model, "Pick at least one label first (or press space to skip).", "info");
      }
      if (model.mode === "reject" && shown.suggestion && sameLabels(model.selection, shown.suggestion.labels)) {
        return say(model, "That is the proposal you rejected: change the labels, or press Esc to go back.", "info");
      }
      return answer(model, [...model.selection], event, now);
    }
    case "skip": {
      if (model.editing) return closeEdit(model, now);
      const current = model.queue[0];
      if (!current) return unchanged(model);
      // A prompt is for the item it was opened on; a reason never lands on another one.
      if (model.prompt && (model.prompt.kind !== "skip" || model.prompt.itemId !== current.item.id)) {
        return unchanged(model);
      }
      const reason = (event.reason ?? "").trim();
      const op: OutboxOp = {
        kind: "skip",
        id: event.key,
        itemId: current.item.id,
        externalId: current.item.external_id,
        queuedAt: event.queuedAt,
        ...(reason ? { reason } : {}),
      };
      const moved = advance({ ...model, prompt: null }, event.at, now, [{ type: "enqueue", op }]);
      const text = `Skipped item ${current.item.external_id} — ${reason || "no reason given"}.`;
      return { model: { ...moved.model, notice: { text, tone: "info" } }, effects: moved.effects };
    }
    case "escape":
      if (model.prompt) return { model: { ...model, prompt: null }, effects: [] };
      if (model.mode === "reject" || (model.selection.length > 0 && !model.editing)) {
        return { model: { ...model, mode: "choose", selection: [], notice: null }, effects: [] };
      }
      if (model.editing) return closeEdit(model, now);
      return model.notice ? { model: { ...model, notice: null }, effects: [] } : unchanged(model);
    case "undo":
      if (model.editing) {
        if (model.editing.index === 0) return say(model, "There is no earlier label to change.", "info");
        return openEdit(model, model.editing.index - 1);
      }
      if (model.history.length === 0) {
        return say(model, model.historyLoaded ? "Nothing to undo yet." : "Loading your recent labels…", "info");
      }
      return openEdit(model, model.history.length - 1);
    case "flag": {
      const item = promptItem(model, "flag");
      if (!item) return unchanged(model);
      if (model.prompt && (model.prompt.kind !== "flag" || model.prompt.itemId !== item.id)) return unchanged(model);
      if (model.flagged.includes(item.id)) {
        return say(model, `Item ${item.external_id} is already flagged for review.`, "info");
      }
      const reason = (event.reason ?? "").trim();
      const flagged = { ...model, flagged: [...model.flagged, item.id], prompt: null };
      const text = `Flagged item ${item.external_id} for review${reason ? ` — ${reason}` : ""}.`;
      const notice: Notice = { text, tone: "info" };
      return { model: { ...flagged, notice }, effects: [{ type: "flag", item, ...(reason ? { reason } : {}) }] };
    }
    case "dismissNotice":
      return { model: { ...model, notice: null }, effects: [] };
    case "keypressMeasured":
      return { model: { ...model, keypressAt: null }, effects: [] };

    case "started":
      return { model: { ...model, status: "starting" }, effects: [] };
    case "stopped":
      return { model: { ...model, queue: [] }, effects: [] };

    case "resumed":
    case "resumeFailed": {
      const effects: SessionEffect[] = [];
      let next = model;
      if (event.type === "resumed") {
        for (const assignment of event.assignments) next = push(next, assignment, effects);
      } else {
        // Not fatal: new items can still be leased; abandoned leases run out on their own.
        const text = `Could not resume your open items: ${errorMessage(event.error)}`;
        next = { ...next, notice: { text, tone: "warning" } };
      }
      effects.push({ type: "fill" });
      // Until the first item is leased the session waits, even if nothing was left before.
      next = next.queue.length > 0 ? showFirst(next, now) : { ...next, status: "waiting" };
      return { model: next, effects };
    }
    case "leased": {
      const effects: SessionEffect[] = [];
      const wasEmpty = model.queue.length === 0;
      let next = push({ ...model, exhausted: false }, event.assignment, effects);
      if (wasEmpty && next.queue.length > 0) next = showFirst(next, now);
      effects.push({ type: "fill" });
      return { model: next, effects };
    }
    case "nothingLeft": {
      const message = event.message || "There is nothing left for you to label right now.";
      const next = { ...model, exhausted: true, message };
      return {
        model: model.queue.length === 0 ? { ...next, status: "done" } : next,
        effects: [{ type: "recheck", wait: "empty" }],
      };
    }
    case "nextFailed": {
      const limit = isLeaseLimit(event.error);
      const wait: RecheckWait = limit ? "leaseLimit" : isRefusal(event.error) ? "empty" : "backoff";
      const effects: SessionEffect[] = [{ type: "recheck", wait }];
      // With an item on screen the person works on; the next one follows when the recheck finds it.
      if (model.queue.length > 0) return { model, effects };
      const message = limit
        ? `${errorMessage(event.error)} Your answers are being saved; new items follow as soon as they are.`
        : `Could not get the next item: ${errorMessage(event.error)}`;
      return { model: { ...model, status: "error", message }, effects };
    }
    case "leaseRenewed": {
      const index = model.queue.findIndex((held) => held.item.id === event.held.item.id);
      if (index < 0) return unchanged(model);
      const renewed = { ...model.queue[index], ...event.renewed, item: event.held.item };
      const queue = model.queue.map((held, i) => (i === index ? renewed : held));
      return { model: { ...model, queue }, effects: [] };
    }
    case "renewFailed":
      // Only a refusal means the lease is gone; a network or server failure may pass.
      if (!isRefusal(event.error)) return unchanged(model);
      return leaseLost(model, event.assignment, now);
    case "historyLoaded": {
      // Answers given since the page opened are already in the history (and newer).
      const known = new Set(model.history.map((entry) => entry.key));
      const earlier = historyEntries(event.annotations).filter((entry) => !known.has(entry.key));
      return { model: { ...model, history: [...earlier, ...model.history], historyLoaded: true }, effects: [] };
    }
    case "historyUnavailable":
      // Undo then reaches back only over this session's answers.
      return { model: { ...model, historyLoaded: true }, effects: [] };
    case "itemLoaded":
      return { model: updateEntry(model, event.key, { item: event.item }), effects: [] };
    case "itemUnavailable": {
      const editing =
        model.editing?.entry.key === event.key ? { ...model.editing, error: errorMessage(event.error) } : model.editing;
      return { model: { ...model, editing }, effects: [] };
    }
    case "flagFailed": {
      const flagged = model.flagged.filter((id) => id !== event.item.id);
      const text = `Could not flag item ${event.item.external_id}: ${errorMessage(event.error)}`;
      return say({ ...model, flagged }, text, "error");
    }
    case "answerSaved":
      if (event.op.kind !== "submit" || !event.annotation) return unchanged(model);
      return { model: updateEntry(model, event.op.id, { annotationId: event.annotation.id }), effects: [] };
  }
}
