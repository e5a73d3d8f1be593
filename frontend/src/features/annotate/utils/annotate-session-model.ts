// The annotator's session: what it holds (SessionModel), what the workspace renders of it
// (SessionState, through `sessionView`), and the words the state machine speaks — the events that
// move it and the effects it asks for. The transitions are in annotate-session-machine.ts, the
// effects are carried out by AnnotateSession (annotate-session.ts).
import type { Assignment, AssignmentItem, QueueAnnotation, Suggestion } from "../types";
import type { OutboxOp } from "./outbox";

/** One answer the person may go back to (undo): theirs, from this session or just before it. */
export type HistoryEntry = {
  /** The answer's client key (or a stand-in for answers given without one). */
  key: string;
  itemId: number;
  item: AssignmentItem | null;
  suggestion: Suggestion | null;
  labels: string[];
  annotationId: number | null;
};

export type EditView = {
  index: number;
  entry: HistoryEntry;
  /** The item could not be loaded (an answer from before this page). */
  error: string | null;
};

export type Notice = { text: string; tone: "info" | "warning" | "error" };

/** A question asked before acting: why skip the item, or why flag it. Keys wait while it is open. */
export type ReasonPrompt = { kind: "skip" | "flag"; itemId: number; externalId: string };

/** starting: resuming; working: an item is on screen; waiting: fetching one; done: none left. */
export type SessionStatus = "starting" | "working" | "waiting" | "done" | "error";

/** What the workspace renders. */
export type SessionState = {
  status: SessionStatus;
  current: Assignment | null;
  prefetched: Assignment[];
  editing: EditView | null;
  mode: "choose" | "reject";
  /** Toggled labels (multilabel projects, or while changing an earlier multilabel answer). */
  selection: string[];
  /** Why there is no item (the server's "nothing left" message, or an error). */
  message: string;
  notice: Notice | null;
  flaggedItemIds: number[];
  historySize: number;
  prompt: ReasonPrompt | null;
};

/** Everything the session knows. Never changed in place: every transition returns a new one. */
export type SessionModel = {
  multilabel: boolean;
  status: SessionStatus;
  /** Leased items: [0] is on screen, the rest are prefetched. */
  queue: Assignment[];
  history: HistoryEntry[];
  historyLoaded: boolean;
  editing: EditView | null;
  mode: "choose" | "reject";
  selection: string[];
  message: string;
  notice: Notice | null;
  flagged: number[];
  /** The reason being asked for (skip or flag), if any. */
  prompt: ReasonPrompt | null;
  /** The server said nothing is left for this user (until a recheck finds more). */
  exhausted: boolean;
  /** When the item on screen was shown, to measure the time spent on it. */
  shownAt: number;
  /** The key press that moved on to the item on screen, until the workspace has measured it. */
  keypressAt: number | null;
};

/** What a key press that may queue an answer brings: its time, a fresh client key, the date. */
export type KeyStamp = { at: number; key: string; queuedAt: number };

export type SessionEvent =
  // Keys (and the buttons that stand for them).
  | ({ type: "accept" } & KeyStamp)
  | { type: "reject" }
  | ({ type: "pick"; label: string } & KeyStamp)
  | ({ type: "confirm" } & KeyStamp)
  | ({ type: "skip"; reason?: string } & KeyStamp)
  | { type: "escape" }
  | { type: "undo" }
  | { type: "flag"; reason?: string }
  // Ask why before skipping or flagging; the prompt closes with the answer or on Esc.
  | { type: "askReason"; kind: ReasonPrompt["kind"] }
  | { type: "closePrompt" }
  | { type: "dismissNotice" }
  | { type: "keypressMeasured" }
  // The page.
  | { type: "started" }
  | { type: "stopped" }
  // Answers from the server.
  | { type: "resumed"; assignments: Assignment[] }
  | { type: "resumeFailed"; error: unknown }
  | { type: "leased"; assignment: Assignment }
  | { type: "nothingLeft"; message: string }
  | { type: "nextFailed"; error: unknown }
  | { type: "leaseRenewed"; held: Assignment; renewed: Assignment }
  | { type: "renewFailed"; assignment: Assignment; error: unknown }
  | { type: "historyLoaded"; annotations: QueueAnnotation[] }
  | { type: "historyUnavailable" }
  | { type: "itemLoaded"; key: string; item: AssignmentItem }
  | { type: "itemUnavailable"; key: string; error: unknown }
  | { type: "flagFailed"; item: AssignmentItem; error: unknown }
  | { type: "answerSaved"; op: OutboxOp; annotation: QueueAnnotation | null };

/**
 * How long to wait before asking for an item again: `empty` after "nothing left" or a refusal,
 * `leaseLimit` while answers are being saved, `backoff` after a network or server failure.
 */
export type RecheckWait = "empty" | "leaseLimit" | "backoff";

export type SessionEffect =
  /** An edit whose annotation id is still unknown (null) takes the one the outbox has learnt. */
  | { type: "enqueue"; op: OutboxOp }
  /** Lease items until one is on screen and the prefetch depth wait behind it. */
  | { type: "fill" }
  | { type: "recheck"; wait: RecheckWait }
  | { type: "preload"; assignment: Assignment }
  | { type: "unload"; itemId: number }
  | { type: "loadItem"; key: string; itemId: number }
  | { type: "flag"; item: AssignmentItem; reason?: string };

export type Transition = { model: SessionModel; effects: SessionEffect[] };

export function initialSession(multilabel: boolean): SessionModel {
  return {
    multilabel,
    status: "starting",
    queue: [],
    history: [],
    historyLoaded: false,
    editing: null,
    mode: "choose",
    selection: [],
    message: "",
    notice: null,
    flagged: [],
    prompt: null,
    exhausted: false,
    shownAt: 0,
    keypressAt: null,
  };
}

export function sessionView(model: SessionModel): SessionState {
  return {
    status: model.status,
    current: model.queue[0] ?? null,
    prefetched: model.queue.slice(1),
    editing: model.editing,
    mode: model.mode,
    selection: model.selection,
    message: model.message,
    notice: model.notice,
    flaggedItemIds: model.flagged,
    historySize: model.history.length,
    prompt: model.prompt,
  };
}
