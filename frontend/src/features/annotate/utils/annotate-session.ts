// The annotator's session in one project, as the workspace uses it: the state machine
// (annotate-session-machine.ts) driven by keys, server answers and timers, and its effects
// carried out here — leasing, renewing and releasing items, the outbox, image preloads.
import type { Paginated } from "@/types/pagination";

import type { Assignment, AssignmentItem, ItemFlag, NextAssignment, QueueAnnotation } from "../types";
import { retryDelay } from "./backoff";
import { sessionTransition } from "./annotate-session-machine";
import {
  initialSession,
  type KeyStamp,
  type RecheckWait,
  type SessionEffect,
  type SessionEvent,
  type SessionModel,
  type SessionState,
  sessionView,
} from "./annotate-session-model";
import type { Outbox, OutboxOp } from "./outbox";

/** How many leased items wait behind the one on screen. */
export const PREFETCH_DEPTH = 1;
/** Leases last five minutes on the server; renewing every minute keeps open items held. */
export const RENEW_EVERY_MS = 60_000;
/** With nothing left, ask again now and then: skipped or expired items come back. */
const EMPTY_RECHECK_MS = 20_000;
/** When the lease limit is reached, wait for answers to be saved before asking again. */
const LEASE_LIMIT_RECHECK_MS = 5_000;

/**
 * Events that change nothing the person sees: the view is not refreshed for them, the next
 * change carries them (a renewed lease, an answer's annotation id, the page starting or stopping
 * while it keeps showing what it showed).
 */
const QUIET_EVENTS: ReadonlySet<SessionEvent["type"]> = new Set([
  "started",
  "stopped",
  "leaseRenewed",
  "answerSaved",
  "keypressMeasured",
]);

export type SessionApi = {
  next: () => Promise<NextAssignment>;
  openAssignments: () => Promise<Paginated<Assignment>>;
  renew: (itemId: number) => Promise<Assignment>;
  release: (itemId: number) => void;
  /** Released moments ago (the release may not have reached the server yet): do not resume. */
  releasedRecently: (itemId: number) => boolean;
  history: () => Promise<Paginated<QueueAnnotation>>;
  item: (itemId: number) => Promise<AssignmentItem>;
  flag: (itemId: number, reason: string) => Promise<ItemFlag>;
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
  private readonly onSavedCallback: ((op: OutboxOp) => void) | undefined;
  private readonly now: () => number;
  private readonly newKey: () => string;
  private readonly depth: number;

  private model: SessionModel;
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private fetching = false;
  private nextFailures = 0;
  private recheckTimer: ReturnType<typeof setTimeout> | null = null;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** Bumped by every start(): answers to requests of an earlier run are not this run's. */
  private generation = 0;
  private unsubscribeSaved: (() => void) | null = null;
  private unsubscribeOutbox: (() => void) | null = null;
  private readonly preloads = new Map<number, HTMLImageElement>();

  constructor({ api, outbox, multilabel, onSaved, now, newKey, prefetchDepth }: SessionOptions) {
    this.api = api;
    this.outbox = outbox;
    this.onSavedCallback = onSaved;
    this.now = now ?? (() => performance.now());
    this.newKey = newKey ?? (() => crypto.randomUUID());
    this.depth = prefetchDepth ?? PREFETCH_DEPTH;
    this.model = initialSession(multilabel);
    this.state = sessionView(this.model);
  }

  // --- lifecycle --------------------------------------------------------------------------

  /** Resume the user's open leases, then fill the queue; renew leases every minute. */
  async start(): Promise<void> {
    // React may stop and start the same session again (strict mode, fast refresh).
    this.stopped = false;
    this.generation += 1;
    const generation = this.generation;
    this.dispatch({ type: "started" });
    this.unsubscribeSaved?.();
    this.unsubscribeSaved = this.outbox.onSaved((op, annotation, offered) => this.saved(op, annotation, offered));
    // An answer whose first try failed no longer brings the next item: lease it here instead.
    this.unsubscribeOutbox?.();
    this.unsubscribeOutbox = this.outbox.subscribe(() => this.fill());
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
      this.dispatch({ type: "resumed", assignments: resumable });
    } catch (error) {
      if (this.stopped || generation !== this.generation) return;
      this.dispatch({ type: "resumeFailed", error });
    }
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
    this.unsubscribeOutbox?.();
    this.unsubscribeOutbox = null;
    for (const assignment of this.model.queue) {
      if (!this.outbox.hasPendingFor(assignment.item.id)) this.api.release(assignment.item.id);
    }
    this.dispatch({ type: "stopped" });
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
    const at = this.model.keypressAt;
    this.dispatch({ type: "keypressMeasured" });
    return at;
  }

  // --- commands ---------------------------------------------------------------------------

  /** Take the model's proposal as the answer. */
  accept(at = this.now()): void {
    this.dispatch({ type: "accept", ...this.stamp(at) });
  }

  /** Say the proposal is wrong; the next label key picks the right one. */
  reject(): void {
    this.dispatch({ type: "reject" });
  }

  /** A label key: the answer in single-label projects, a toggle in multilabel ones. */
  pick(label: string, at = this.now()): void {
    this.dispatch({ type: "pick", label, ...this.stamp(at) });
  }

  /** Enter: send the toggled labels (multilabel). */
  confirm(at = this.now()): void {
    this.dispatch({ type: "confirm", ...this.stamp(at) });
  }

  /** Space: pass on the item on screen (or leave an earlier answer unchanged); `reason` says why. */
  skip(at = this.now(), reason = ""): void {
    this.dispatch({ type: "skip", reason, ...this.stamp(at) });
  }

  /** Shift+space: ask why before skipping the item on screen. */
  askSkipReason(): void {
    this.dispatch({ type: "askReason", kind: "skip" });
  }

  /** Esc: step back out of reject mode, a selection, or an earlier answer. */
  escape(): void {
    this.dispatch({ type: "escape" });
  }

  /** Backspace / z: reopen the last answer (and, pressed again, the one before it). */
  undo(): void {
    this.dispatch({ type: "undo" });
  }

  /** f: ask why the item on screen is unclear, then flag it for a reviewer (`sendFlag`). */
  flag(): void {
    this.dispatch({ type: "askReason", kind: "flag" });
  }

  /** Flag the item the flag prompt was opened for, with the reason given. */
  sendFlag(reason: string): void {
    this.dispatch({ type: "flag", reason });
  }

  /** Close the skip or flag prompt without acting (Esc). */
  closePrompt(): void {
    this.dispatch({ type: "closePrompt" });
  }

  dismissNotice(): void {
    this.dispatch({ type: "dismissNotice" });
  }

  // --- the machine and its effects -----------------------------------------------------------

  /** A key press that may queue an answer: its time, the client key the answer would carry. */
  private stamp(at: number): KeyStamp {
    return { at, key: this.newKey(), queuedAt: Date.now() };
  }

  /** Move the machine; show React the new state (unless nothing it shows changed), then run the effects. */
  private dispatch(event: SessionEvent): void {
    const before = this.model;
    const { model, effects } = sessionTransition(before, event, this.now());
    this.model = model;
    if (model !== before && !QUIET_EVENTS.has(event.type)) this.publish();
    for (const effect of effects) this.run(effect);
  }

  private publish(): void {
    this.state = sessionView(this.model);
    for (const listener of this.listeners) listener();
  }

  private run(effect: SessionEffect): void {
    switch (effect.type) {
      case "enqueue": {
        const { op } = effect;
        if (op.kind === "edit") {
          this.outbox.enqueue(
            op.annotationId === null ? { ...op, annotationId: this.outbox.annotationIdFor(op.target) ?? null } : op,
          );
        } else {
          // The answer brings the next item back with it when one is needed: one request per label.
          this.outbox.enqueue({ ...op, next: this.wantsMore() });
        }
        return;
      }
      case "fill":
        this.fill();
        return;
      case "recheck":
        this.recheckLater(effect.wait);
        return;
      case "preload":
        this.preload(effect.assignment);
        return;
      case "unload":
        this.preloads.delete(effect.itemId);
        return;
      case "loadItem":
        this.api
          .item(effect.itemId)
          .then((item) => this.dispatch({ type: "itemLoaded", key: effect.key, item }))
          .catch((error: unknown) => this.dispatch({ type: "itemUnavailable", key: effect.key, error }));
        return;
      case "flag": {
        const { item } = effect;
        this.api.flag(item.id, effect.reason ?? "").catch((error: unknown) => this.dispatch({ type: "flagFailed", item, error }));
        return;
      }
    }
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

  /**
   * Whether fewer items are held, or on their way (leased with an answer still out, or by a
   * next request), than the one on screen and `depth` behind it.
   */
  private wantsMore(): boolean {
    if (this.stopped) return false;
    const coming = this.outbox.awaitingOffers() + (this.fetching ? 1 : 0);
    return this.model.queue.length + coming < 1 + this.depth;
  }

  /** Lease items until one is on screen and `depth` wait behind it (answers on their way bring theirs). */
  private fill(): void {
    // Until the open leases are resumed, what is held is not known yet.
    if (this.model.status === "starting") return;
    if (this.stopped || this.fetching || this.recheckTimer !== null) return;
    if (!this.wantsMore()) return;
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
        if (result.assignment) this.dispatch({ type: "leased", assignment: result.assignment });
        else this.dispatch({ type: "nothingLeft", message: result.message });
      })
      .catch((error: unknown) => {
        this.fetching = false;
        if (this.stopped || generation !== this.generation) return;
        this.nextFailures += 1;
        this.dispatch({ type: "nextFailed", error });
      });
  }

  private recheckLater(wait: RecheckWait): void {
    const ms =
      wait === "leaseLimit"
        ? LEASE_LIMIT_RECHECK_MS
        : wait === "empty"
          ? EMPTY_RECHECK_MS
          : retryDelay(this.nextFailures);
    if (this.recheckTimer !== null || this.stopped) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      this.fill();
    }, ms);
  }

  /** Keep every held item's lease alive; the machine lets go of the ones that ran out anyway. */
  private async renewAll(): Promise<void> {
    const held = [...this.model.queue];
    await Promise.all(
      held.map(async (assignment) => {
        try {
          const renewed = await this.api.renew(assignment.item.id);
          this.dispatch({ type: "leaseRenewed", held: assignment, renewed });
        } catch (error) {
          if (!this.stopped) this.dispatch({ type: "renewFailed", assignment, error });
        }
      }),
    );
  }

  private async loadHistory(): Promise<void> {
    try {
      const page = await this.api.history();
      this.dispatch({ type: "historyLoaded", annotations: page.results });
    } catch {
      this.dispatch({ type: "historyUnavailable" });
    }
  }

  private saved(op: OutboxOp, annotation: QueueAnnotation | null, offered: NextAssignment | null): void {
    this.dispatch({ type: "answerSaved", op, annotation });
    this.onSavedCallback?.(op);
    if (offered === null) return;
    if (this.stopped) {
      if (offered.assignment) this.api.release(offered.assignment.item.id);
      return;
    }
    if (offered.assignment) this.dispatch({ type: "leased", assignment: offered.assignment });
    else this.dispatch({ type: "nothingLeft", message: offered.message });
  }
}
