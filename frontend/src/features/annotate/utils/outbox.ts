import { ApiError, errorMessage } from "@/lib/api-client";

import type { NextAssignment, QueueAnnotation, SubmittedAnnotation } from "../types";
import { isRetryable, retryDelay } from "./backoff";

/** An answer to a leased item; `id` is also the `client_key` the server deduplicates on. */
export type SubmitOp = {
  kind: "submit";
  id: string;
  itemId: number;
  externalId: string;
  labels: string[];
  timeOnItemMs: number | null;
  queuedAt: number;
  /** Ask for the next item in the answer (one request per label). Absent in older stored ops. */
  next?: boolean;
};

/** A changed answer (undo, then choose again). `target` is the client key of the answer. */
export type EditOp = {
  kind: "edit";
  id: string;
  itemId: number;
  externalId: string;
  target: string;
  annotationId: number | null;
  labels: string[];
  queuedAt: number;
};

export type SkipOp = {
  kind: "skip";
  id: string;
  itemId: number;
  externalId: string;
  queuedAt: number;
  /** Why the person skipped it ("" or absent: no reason given). */
  reason?: string;
  next?: boolean;
};

export type OutboxOp = SubmitOp | EditOp | SkipOp;

export type PendingOp = {
  op: OutboxOp;
  /** Failed tries so far (0 until the first try fails). */
  attempts: number;
  sending: boolean;
  lastError: string | null;
  /** When the next try is due (epoch ms), or null when it may go now. */
  retryAt: number | null;
};

/** Refused by the server (or impossible): shown to the person until they dismiss it. */
export type FailedOp = {
  op: OutboxOp;
  message: string;
  status: number;
};

export type OutboxSnapshot = {
  pending: readonly PendingOp[];
  failed: readonly FailedOp[];
};

export type OutboxTransport = {
  /** The stored annotation, with the next item (`next`) when the op asked for it. */
  submit: (op: SubmitOp) => Promise<QueueAnnotation & Partial<Pick<SubmittedAnnotation, "next">>>;
  edit: (annotationId: number, op: EditOp) => Promise<QueueAnnotation>;
  /** The next item when the op asked for it (nothing otherwise). */
  skip: (op: SkipOp) => Promise<NextAssignment | null | undefined>;
};

/** Called after each op the server accepted: the annotation (answers and edits) and, when the op
 * asked for it, the next leased item the server handed out with it. */
export type SavedListener = (op: OutboxOp, annotation: QueueAnnotation | null, offered: NextAssignment | null) => void;

/** Whether an op asks the server for the next item. Only on its first try: once a try has failed
 * (the answer may have been lost on the way back) the session leases its next item itself. */
function asksForNext(entry: PendingOp): boolean {
  return entry.op.kind !== "edit" && entry.op.next === true && entry.attempts === 0;
}

export type OutboxClock = {
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
};

const defaultClock: OutboxClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** How many client key → annotation id pairs are remembered (for edits of recent answers). */
const SAVED_KEYS_KEPT = 200;

/** A refusal decided here, without asking the server (e.g. the answer an edit changes is lost). */
class LocalRefusal extends Error {}

type StoredOp = { op: OutboxOp; failure?: { message: string; status: number } };

type OutboxOptions = {
  transport: OutboxTransport;
  /** Where ops survive a reload (localStorage); null keeps them in memory only. */
  storage: Storage | null;
  storageKey: string;
  clock?: Partial<OutboxClock>;
  /** Give back an item the server leased with an answer when no session is there to take it. */
  release?: (itemId: number) => void;
};

/**
 * The workspace's outgoing changes: answers, edits and skips, sent one at a time in the order
 * they were made, in the background.
 *
 * A network failure or server error is retried with backoff until it goes through; a refusal
 * (4xx, e.g. an expired lease) is kept as failed and shown, never retried forever. Every op is
 * also written to storage as its own entry, so a reload (or a crash) retries what was not yet
 * saved, and two tabs never overwrite each other's entries. Answers carry their client key, so a
 * retry of an answer that did reach the server stores nothing twice.
 */
export class Outbox {
  private readonly transport: OutboxTransport;
  private readonly storage: Storage | null;
  private readonly prefix: string;
  private readonly clock: OutboxClock;
  private pending: PendingOp[] = [];
  private failed: FailedOp[] = [];
  private readonly saved = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly savedListeners = new Set<SavedListener>();
  private readonly release: ((itemId: number) => void) | undefined;
  private snapshot: OutboxSnapshot = { pending: [], failed: [] };
  private pumping = false;
  private timer: unknown = null;

  constructor({ transport, storage, storageKey, clock, release }: OutboxOptions) {
    this.transport = transport;
    this.release = release;
    this.storage = storage;
    this.prefix = storageKey;
    this.clock = { ...defaultClock, ...clock };
  }

  /** Take up what an earlier page left in storage, oldest first, and start sending it. */
  load(): void {
    const stored: StoredOp[] = [];
    for (const key of this.storageKeys(`${this.prefix}:op:`)) {
      const entry = this.read<StoredOp>(key);
      if (entry?.op && typeof entry.op.id === "string") stored.push(entry);
    }
    stored.sort((a, b) => a.op.queuedAt - b.op.queuedAt);
    const known = new Set([...this.pending, ...this.failed].map((entry) => entry.op.id));
    for (const entry of stored) {
      if (known.has(entry.op.id)) continue;
      if (entry.failure) this.failed.push({ op: entry.op, ...entry.failure });
      else this.pending.push({ op: entry.op, attempts: 0, sending: false, lastError: null, retryAt: null });
    }
    for (const [clientKey, annotationId] of this.read<[string, number][]>(`${this.prefix}:saved`) ?? []) {
      this.saved.set(clientKey, annotationId);
    }
    this.emit();
    void this.pump();
  }

  enqueue(op: OutboxOp): void {
    this.pending.push({ op, attempts: 0, sending: false, lastError: null, retryAt: null });
    this.write(`${this.prefix}:op:${op.id}`, { op } satisfies StoredOp);
    this.emit();
    void this.pump();
  }

  /** Try the waiting op now instead of at the end of its backoff (a button, or back online). */
  retryNow(): void {
    const head = this.pending[0];
    if (!head || head.sending) return;
    head.retryAt = null;
    this.clearTimer();
    this.emit();
    void this.pump();
  }

  /** Forget a failed op once the person has read about it. */
  dismiss(id: string): void {
    this.failed = this.failed.filter((entry) => entry.op.id !== id);
    this.remove(`${this.prefix}:op:${id}`);
    this.emit();
  }

  /** True while an answer or skip for the item is still on its way (its lease must stay). */
  hasPendingFor(itemId: number): boolean {
    return this.pending.some((entry) => entry.op.itemId === itemId && entry.op.kind !== "edit");
  }

  /** Answers and skips on their way that will bring the next item with them. */
  awaitingOffers(): number {
    return this.pending.filter(asksForNext).length;
  }

  /** The annotation an answer became, once the server has stored it. */
  annotationIdFor(clientKey: string): number | undefined {
    return this.saved.get(clientKey);
  }

  getSnapshot = (): OutboxSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called after each op the server accepted (see `SavedListener`). */
  onSaved(listener: SavedListener): () => void {
    this.savedListeners.add(listener);
    return () => this.savedListeners.delete(listener);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const head = this.pending[0];
        if (!head) return;
        const wait = head.retryAt === null ? 0 : head.retryAt - this.clock.now();
        if (wait > 0) {
          this.clearTimer();
          this.timer = this.clock.setTimeout(() => {
            this.timer = null;
            void this.pump();
          }, wait);
          return;
        }
        head.sending = true;
        this.emit();
        try {
          const { annotation, offered } = await this.send(head);
          this.finish(head, annotation, offered);
        } catch (error) {
          head.sending = false;
          if (!(error instanceof LocalRefusal) && isRetryable(error)) {
            head.attempts += 1;
            head.lastError = errorMessage(error);
            head.retryAt = this.clock.now() + retryDelay(head.attempts, this.clock.random);
            this.emit();
          } else {
            this.fail(head, error);
          }
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async send(
    entry: PendingOp,
  ): Promise<{ annotation: QueueAnnotation | null; offered: NextAssignment | null }> {
    const { op } = entry;
    const next = asksForNext(entry);
    switch (op.kind) {
      case "submit": {
        const { next: offered, ...annotation } = await this.transport.submit({ ...op, next });
        return { annotation, offered: next ? (offered ?? null) : null };
      }
      case "skip": {
        const offered = await this.transport.skip({ ...op, next });
        return { annotation: null, offered: next ? (offered ?? null) : null };
      }
      case "edit": {
        const annotationId = op.annotationId ?? this.saved.get(op.target);
        if (annotationId === undefined) {
          const lost = this.failed.some((entry) => entry.op.id === op.target);
          throw new LocalRefusal(
            lost
              ? "The label it changes was not saved either."
              : "The label it changes could not be found; it may not have been saved.",
          );
        }
        return { annotation: await this.transport.edit(annotationId, op), offered: null };
      }
    }
  }

  private finish(entry: PendingOp, annotation: QueueAnnotation | null, offered: NextAssignment | null): void {
    this.pending = this.pending.filter((pending) => pending !== entry);
    this.remove(`${this.prefix}:op:${entry.op.id}`);
    if (entry.op.kind === "submit" && annotation) {
      this.saved.set(entry.op.id, annotation.id);
      while (this.saved.size > SAVED_KEYS_KEPT) {
        const oldest = this.saved.keys().next().value;
        if (oldest === undefined) break;
        this.saved.delete(oldest);
      }
      this.write(`${this.prefix}:saved`, [...this.saved.entries()]);
    }
    const leased = offered?.assignment;
    // The page was left while the answer was on its way: the item it brought goes straight back.
    if (leased && this.savedListeners.size === 0) this.release?.(leased.item.id);
    // Listeners first: the item an answer brought is held before anyone watching the queue
    // sees the answer gone (and would lease a replacement).
    for (const listener of this.savedListeners) listener(entry.op, annotation, offered);
    this.emit();
  }

  private fail(entry: PendingOp, error: unknown): void {
    const status = error instanceof ApiError ? error.status : 0;
    const failure = { message: errorMessage(error), status };
    this.pending = this.pending.filter((pending) => pending !== entry);
    this.failed.push({ op: entry.op, ...failure });
    this.write(`${this.prefix}:op:${entry.op.id}`, { op: entry.op, failure } satisfies StoredOp);
    this.emit();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(): void {
    this.snapshot = {
      pending: this.pending.map((entry) => ({ ...entry })),
      failed: [...this.failed],
    };
    for (const listener of this.listeners) listener();
  }

  // Storage can be full, disabled or shared with a tab that just removed an entry: the queue in
  // memory is what counts, storage is the copy that survives a reload.
  private storageKeys(prefix: string): string[] {
    if (!this.storage) return [];
    const keys: string[] = [];
    try {
      for (let index = 0; index < this.storage.length; index += 1) {
        const key = this.storage.key(index);
        if (key?.startsWith(prefix)) keys.push(key);
      }
    } catch {
      return keys;
    }
    return keys;
  }

  private read<T>(key: string): T | null {
    try {
      const raw = this.storage?.getItem(key);
      return raw ? (JSON.parse(raw) as T) : null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: unknown): void {
    try {
      this.storage?.setItem(key, JSON.stringify(value));
    } catch {
      // Quota or privacy mode: the op still goes out from memory.
    }
  }

  private remove(key: string): void {
    try {
      this.storage?.removeItem(key);
    } catch {
      // As above.
    }
  }
}
