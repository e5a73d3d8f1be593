import { ApiError, errorMessage } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Assignment, AssignmentItem, ItemFlag, NextAssignment, QueueAnnotation, Suggestion } from "../types";
import { retryDelay } from "./backoff";
import type { Outbox, OutboxOp } from "./outbox";

/** How many leased items wait behind the one on screen. */
export const PREFETCH_DEPTH = 1;
/** Leases last five minutes on the server; renewing every minute keeps open items held. */
export const RENEW_EVERY_MS = 60_000;
/** With nothing left, ask again now and then: skipped or expired items come back. */
const EMPTY_RECHECK_MS = 20_000;
/** When the lease limit is reached, wait for answers to be saved before asking again. */
const LEASE_LIMIT_RECHECK_MS = 5_000;
/** Answers kept for undo in one session. */
const HISTORY_KEPT = 50;

export type SessionApi = {
  next: () => Promise<NextAssignment>;
  openAssignments: () => Promise<Paginated<Assignment>>;
  renew: (itemId: number) => Promise<Assignment>;
  release: (itemId: number) => void;
  /** Released moments ago (the release may not have reached the server yet): do not resume. */
  releasedRecently: (itemId: number) => boolean;
  history: () => Promise<Paginated<QueueAnnotation>>;
  item: (itemId: number) => Promise<AssignmentItem>;
  flag: (itemId: number) => Promise<ItemFlag>;
};

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

export type SessionState = {
  /** starting: resuming; working: an item is on screen; waiting: fetching one; done: none left. */
  status: "starting" | "working" | "waiting" | "done" | "error";
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
};

type SessionOptions = {
  api: SessionApi;
  outbox: Outbox;
  multilabel: boolean;
  /** Called after an answer or edit reaches the server (e.g. to refresh the progress strip). */
  onSaved?: (op: OutboxOp) => void;
  now?: () => number;
  newKey?: () => string;
  prefetchDepth?: number;
};

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((label) => set.has(label));
}

/**
 * The annotator's session in one project: the leased items (the one on screen and those
 * prefetched behind it), what each key does, undo, and lease upkeep.
 *
 * It lives outside React so a key press acts at once, without waiting for a render or a
 * request: the next item is already leased and in memory, answers go to the outbox and are
 * sent in the background. The component subscribes to its state.
 */
export class AnnotateSession {
  private readonly api: SessionApi;
  private readonly outbox: Outbox;
  private readonly multilabel: boolean;
  private readonly onSavedCallback: ((op: OutboxOp) => void) | undefined;
  private readonly now: () => number;
  private readonly newKey: () => string;
  private readonly depth: number;

  /** Leased items: [0] is on screen, the rest are prefetched. */
  private queue: Assignment[] = [];
  private history: HistoryEntry[] = [];
  private editing: EditView | null = null;
  private mode: "choose" | "reject" = "choose";
  private selection: string[] = [];
  private notice: Notice | null = null;
  private message = "";
  private status: SessionState["status"] = "starting";
  private flagged: number[] = [];
  private shownAt = 0;
  private keypressAt: number | null = null;
  private fetching = false;
  /** The server said nothing is left for this user (until a recheck finds more). */
  private exhausted = false;
  private nextFailures = 0;
  private recheckTimer: ReturnType<typeof setTimeout> | null = null;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** Bumped by every start(): answers to requests of an earlier run are not this run's. */
  private generation = 0;
  private historyLoaded = false;
  private unsubscribeSaved: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();
  private state: SessionState;
  private readonly preloads = new Map<number, HTMLImageElement>();

  constructor({ api, outbox, multilabel, onSaved, now, newKey, prefetchDepth }: SessionOptions) {
    this.api = api;
    this.outbox = outbox;
    this.multilabel = multilabel;
    this.onSavedCallback = onSaved;
    this.now = now ?? (() => performance.now());
    this.newKey = newKey ?? (() => crypto.randomUUID());
    this.depth = prefetchDepth ?? PREFETCH_DEPTH;
    this.state = this.buildState();
  }

  // --- lifecycle --------------------------------------------------------------------------

  /** Resume the user's open leases, then fill the queue; renew leases every minute. */
  async start(): Promise<void> {
    // React may stop and start the same session again (strict mode, fast refresh).
    this.stopped = false;
    this.generation += 1;
    const generation = this.generation;
    this.status = "starting";
    this.unsubscribeSaved?.();
    this.unsubscribeSaved = this.outbox.onSaved((op, annotation) => this.saved(op, annotation));
    this.renewTimer = setInterval(() => void this.renewAll(), RENEW_EVERY_MS);
    void this.loadHistory();
    try {
      const open = await this.api.openAssignments();
      if (this.stopped || generation !== this.generation) return;
      // Items whose answer or skip is still on its way stay leased until it lands; they are done.
      const resumable = open.results.filter(
        (assignment) =>
          !this.outbox.hasPendingFor(assignment.item.id) && !this.api.releasedRecently(assignment.item.id),
      );
      for (const assignment of resumable) this.push(assignment);
    } catch (error) {
      if (this.stopped || generation !== this.generation) return;
      // Not fatal: new items can still be leased; abandoned leases run out on their own.
      this.notice = { text: `Could not resume your open items: ${errorMessage(error)}`, tone: "warning" };
    }
    if (this.queue.length > 0) this.show();
    else this.status = "waiting";
    this.emit();
    this.fill();
  }

  /** Leave: give back every leased item nobody answered (best effort) and stop all timers. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.renewTimer !== null) clearInterval(this.renewTimer);
    if (this.recheckTimer !== null) clearTimeout(this.recheckTimer);
    this.renewTimer = null;
    this.recheckTimer = null;
    this.unsubscribeSaved?.();
    this.unsubscribeSaved = null;
    for (const assignment of this.queue) {
      if (!this.outbox.hasPendingFor(assignment.item.id)) this.api.release(assignment.item.id);
    }
    this.queue = [];
    this.preloads.clear();
  }

  getSnapshot = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * The time of the key press that moved on to the item now on screen, once; null if the item
   * did not come from a key press. Used to measure keypress → next item visible.
   */
  takeKeypressTime(): number | null {
    const at = this.keypressAt;
    this.keypressAt = null;
    return at;
  }

  // --- commands ---------------------------------------------------------------------------

  /** Take the model's proposal as the answer. */
  accept(at = this.now()): void {
    const suggestion = this.target()?.suggestion;
    if (!suggestion || suggestion.labels.length === 0) {
      this.say("There is no proposal to accept for this item: pick a label with its key.", "info");
      return;
    }
    this.answer(suggestion.labels, at);
  }

  /** Say the proposal is wrong; the next label key picks the right one. */
  reject(): void {
    const suggestion = this.target()?.suggestion;
    if (!this.target()) return;
    if (!suggestion || suggestion.labels.length === 0) {
      this.say("There is no proposal to reject for this item: pick a label with its key.", "info");
      return;
    }
    this.mode = "reject";
    this.selection = [];
    this.notice = null;
    this.emit();
  }

  /** A label key: the answer in single-label projects, a toggle in multilabel ones. */
  pick(label: string, at = this.now()): void {
    const target = this.target();
    if (!target) return;
    if (this.multilabel) {
      this.selection = this.selection.includes(label)
        ? this.selection.filter((selected) => selected !== label)
        : [...this.selection, label];
      this.notice = null;
      this.emit();
      return;
    }
    if (this.mode === "reject" && target.suggestion?.labels.includes(label)) {
      this.say(`${label} is the proposal you rejected: pick another label, or press Esc to go back.`, "info");
      return;
    }
    this.answer([label], at);
  }

  /** Enter: send the toggled labels (multilabel). */
  confirm(at = this.now()): void {
    if (!this.multilabel || !this.target()) return;
    if (this.selection.length === 0) {
      this.say("Pick at least one label first (or press space to skip).", "info");
      return;
    }
    const suggestion = this.target()?.suggestion;
    if (this.mode === "reject" && suggestion && sameLabels(this.selection, suggestion.labels)) {
      this.say("That is the proposal you rejected: change the labels, or press Esc to go back.", "info");
      return;
    }
    this.answer([...this.selection], at);
  }

  /** Space: pass on the item on screen (or leave an earlier answer unchanged). */
  skip(at = this.now()): void {
    if (this.editing) {
      this.closeEdit();
      return;
    }
    const current = this.queue[0];
    if (!current) return;
    this.outbox.enqueue({
      kind: "skip",
      id: this.newKey(),
      itemId: current.item.id,
      externalId: current.item.external_id,
      queuedAt: Date.now(),
    });
    this.advance(at);
  }

  /** Esc: step back out of reject mode, a selection, or an earlier answer. */
  escape(): void {
    if (this.mode === "reject" || (this.selection.length > 0 && !this.editing)) {
      this.mode = "choose";
      this.selection = [];
      this.notice = null;
      this.emit();
      return;
    }
    if (this.editing) {
      this.closeEdit();
      return;
    }
    if (this.notice) {
      this.notice = null;
      this.emit();
    }
  }

  /** Backspace / z: reopen the last answer (and, pressed again, the one before it). */
  undo(): void {
    if (this.editing) {
      if (this.editing.index === 0) {
        this.say("There is no earlier label to change.", "info");
        return;
      }
      this.openEdit(this.editing.index - 1);
      return;
    }
    if (this.history.length === 0) {
      this.say(this.historyLoaded ? "Nothing to undo yet." : "Loading your recent labels…", "info");
      return;
    }
    this.openEdit(this.history.length - 1);
  }

  /** f: mark the item on screen as unclear, for a reviewer. */
  flag(): void {
    const item = this.editing ? this.editing.entry.item : this.queue[0]?.item;
    if (!item) return;
    if (this.flagged.includes(item.id)) {
      this.say(`Item ${item.external_id} is already flagged for review.`, "info");
      return;
    }
    this.flagged = [...this.flagged, item.id];
    this.say(`Flagged item ${item.external_id} for review.`, "info");
    this.api.flag(item.id).catch((error: unknown) => {
      this.flagged = this.flagged.filter((id) => id !== item.id);
      this.say(`Could not flag item ${item.external_id}: ${errorMessage(error)}`, "error");
    });
  }

  dismissNotice(): void {
    this.notice = null;
    this.emit();
  }

  // --- internals ---------------------------------------------------------------------------

  /** What the keys act on: the reopened earlier answer, or the item on screen. */
  private target(): { suggestion: Suggestion | null; item: AssignmentItem | null } | null {
    if (this.editing) return { suggestion: this.editing.entry.suggestion, item: this.editing.entry.item };
    const current = this.queue[0];
    return current ? { suggestion: current.suggestion, item: current.item } : null;
  }

  private answer(labels: string[], at: number): void {
    if (this.editing) {
      this.saveEdit(labels);
      return;
    }
    const current = this.queue[0];
    if (!current) return;
    const key = this.newKey();
    this.outbox.enqueue({
      kind: "submit",
      id: key,
      itemId: current.item.id,
      externalId: current.item.external_id,
      labels,
      timeOnItemMs: Math.max(0, Math.round(at - this.shownAt)),
      queuedAt: Date.now(),
    });
    this.history.push({
      key,
      itemId: current.item.id,
      item: current.item,
      suggestion: current.suggestion,
      labels,
      annotationId: null,
    });
    if (this.history.length > HISTORY_KEPT) this.history.splice(0, this.history.length - HISTORY_KEPT);
    this.advance(at);
  }

  /** The item on screen is done with: show the next one (already leased) and lease another. */
  private advance(at: number): void {
    const done = this.queue.shift();
    if (done) this.preloads.delete(done.item.id);
    this.keypressAt = at;
    this.mode = "choose";
    this.selection = [];
    this.notice = null;
    if (this.queue.length > 0) this.show();
    else this.status = this.exhausted ? "done" : "waiting";
    this.emit();
    this.fill();
  }

  private show(): void {
    this.status = "working";
    this.message = "";
    this.shownAt = this.now();
  }

  private push(assignment: Assignment): void {
    if (this.queue.some((held) => held.item.id === assignment.item.id)) return;
    this.queue.push(assignment);
    this.preload(assignment);
  }

  /**
   * Fetch images of prefetched items now, so they are decoded before they are shown. A
   * media-restricted item is shown blurred first: only its thumbnail is fetched ahead (fetching
   * the full image is a reveal, which the server records).
   */
  private preload(assignment: Assignment): void {
    const item = assignment.item;
    const src = item.media_restricted ? item.thumbnail_url : item.image_url;
    if (!src || typeof Image === "undefined") return;
    const image = new Image();
    image.src = src;
    image.decode?.().catch(() => undefined);
    this.preloads.set(assignment.item.id, image);
  }

  /** Lease items until one is on screen and `depth` wait behind it. */
  private fill(): void {
    if (this.stopped || this.fetching || this.recheckTimer !== null) return;
    if (this.queue.length >= 1 + this.depth) return;
    this.fetching = true;
    const generation = this.generation;
    this.api
      .next()
      .then((result) => {
        this.fetching = false;
        this.nextFailures = 0;
        if (this.stopped || generation !== this.generation) {
          // The page was left while the request was out: give the item straight back.
          if (result.assignment) this.api.release(result.assignment.item.id);
          return;
        }
        if (!result.assignment) {
          this.exhausted = true;
          this.message = result.message || "There is nothing left for you to label right now.";
          if (this.queue.length === 0) this.status = "done";
          this.emit();
          this.recheckLater(EMPTY_RECHECK_MS);
          return;
        }
        this.exhausted = false;
        const wasEmpty = this.queue.length === 0;
        this.push(result.assignment);
        if (wasEmpty && this.queue.length > 0) this.show();
        this.emit();
        this.fill();
      })
      .catch((error: unknown) => {
        this.fetching = false;
        if (this.stopped || generation !== this.generation) return;
        this.nextFailures += 1;
        const limit = error instanceof ApiError && error.status === 409;
        if (this.queue.length === 0) {
          this.status = "error";
          this.message = limit
            ? `${errorMessage(error)} Your answers are being saved; new items follow as soon as they are.`
            : `Could not get the next item: ${errorMessage(error)}`;
          this.emit();
        }
        const client = error instanceof ApiError && error.status >= 400 && error.status < 500 && !limit;
        this.recheckLater(limit ? LEASE_LIMIT_RECHECK_MS : client ? EMPTY_RECHECK_MS : retryDelay(this.nextFailures));
      });
  }

  private recheckLater(ms: number): void {
    if (this.recheckTimer !== null || this.stopped) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      this.fill();
    }, ms);
  }

  /** Keep every held item's lease alive; drop the ones that ran out anyway. */
  private async renewAll(): Promise<void> {
    const held = [...this.queue];
    await Promise.all(
      held.map(async (assignment) => {
        try {
          const renewed = await this.api.renew(assignment.item.id);
          const index = this.queue.findIndex((item) => item.item.id === assignment.item.id);
          if (index >= 0) this.queue[index] = { ...this.queue[index], ...renewed, item: assignment.item };
        } catch (error) {
          if (!(error instanceof ApiError) || error.status < 400 || error.status >= 500) return;
          this.lost(assignment);
        }
      }),
    );
  }

  /** A lease ran out (the item may be someone else's now): let go of it and move on. */
  private lost(assignment: Assignment): void {
    if (this.stopped) return;
    const index = this.queue.findIndex((held) => held.item.id === assignment.item.id);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.preloads.delete(assignment.item.id);
    if (index === 0) {
      if (this.queue.length > 0) this.show();
      else this.status = this.exhausted ? "done" : "waiting";
      this.mode = "choose";
      this.selection = [];
      this.notice = {
        text: `Your hold on item ${assignment.item.external_id} ran out and it went back to the queue; here is the next one.`,
        tone: "warning",
      };
    }
    this.emit();
    this.fill();
  }

  private async loadHistory(): Promise<void> {
    try {
      const page = await this.api.history();
      const earlier: HistoryEntry[] = page.results
        .slice()
        .reverse()
        .map((annotation) => ({
          key: annotation.client_key || `annotation-${annotation.id}`,
          itemId: annotation.item,
          item: null,
          suggestion:
            annotation.suggested_labels.length > 0
              ? { labels: annotation.suggested_labels, confidence: null, model_version: annotation.suggested_by_version }
              : null,
          labels: annotation.labels,
          annotationId: annotation.id,
        }));
      // Answers given since the page opened are already in the history (and newer).
      const known = new Set(this.history.map((entry) => entry.key));
      this.history = [...earlier.filter((entry) => !known.has(entry.key)), ...this.history];
    } catch {
      // Undo then reaches back only over this session's answers.
    } finally {
      this.historyLoaded = true;
      this.emit();
    }
  }

  private openEdit(index: number): void {
    const entry = this.history[index];
    if (!entry) return;
    this.editing = { index, entry, error: null };
    this.mode = "choose";
    this.selection = this.multilabel ? [...entry.labels] : [];
    this.notice = null;
    this.emit();
    if (!entry.item) {
      this.api
        .item(entry.itemId)
        .then((item) => {
          entry.item = item;
          if (this.editing?.entry === entry) this.editing = { ...this.editing, entry };
          this.emit();
        })
        .catch((error: unknown) => {
          if (this.editing?.entry === entry) this.editing = { ...this.editing, error: errorMessage(error) };
          this.emit();
        });
    }
  }

  private saveEdit(labels: string[]): void {
    const view = this.editing;
    if (!view) return;
    const { entry } = view;
    if (sameLabels(labels, entry.labels)) {
      this.closeEdit(`Item ${entry.item?.external_id ?? entry.itemId} keeps its label.`);
      return;
    }
    this.outbox.enqueue({
      kind: "edit",
      id: this.newKey(),
      itemId: entry.itemId,
      externalId: entry.item?.external_id ?? String(entry.itemId),
      target: entry.key,
      annotationId: entry.annotationId ?? this.outbox.annotationIdFor(entry.key) ?? null,
      labels,
      queuedAt: Date.now(),
    });
    entry.labels = labels;
    this.closeEdit(`Changed item ${entry.item?.external_id ?? entry.itemId} to ${labels.join(", ")}.`);
  }

  private closeEdit(message?: string): void {
    this.editing = null;
    this.mode = "choose";
    this.selection = [];
    this.notice = message ? { text: message, tone: "info" } : null;
    // Time on the item on screen starts again: the time spent changing another answer is not its.
    if (this.queue.length > 0) this.shownAt = this.now();
    this.emit();
  }

  private saved(op: OutboxOp, annotation: QueueAnnotation | null): void {
    if (op.kind === "submit" && annotation) {
      const entry = this.history.find((candidate) => candidate.key === op.id);
      if (entry) entry.annotationId = annotation.id;
    }
    this.onSavedCallback?.(op);
  }

  private say(text: string, tone: Notice["tone"]): void {
    this.notice = { text, tone };
    this.emit();
  }

  private buildState(): SessionState {
    return {
      status: this.status,
      current: this.queue[0] ?? null,
      prefetched: this.queue.slice(1),
      editing: this.editing,
      mode: this.mode,
      selection: this.selection,
      message: this.message,
      notice: this.notice,
      flaggedItemIds: this.flagged,
      historySize: this.history.length,
    };
  }

  private emit(): void {
    this.state = this.buildState();
    for (const listener of this.listeners) listener();
  }
}
