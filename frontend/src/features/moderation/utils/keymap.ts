import { hasShortcutModifier, indexForDigitKey, type KeyInput } from "@/lib/keyboard";

import type { DecisionAction } from "../types";

/** The review panel's keys. Digits 1–9 pick a reason code; Enter sends the decision. */
export const REVIEW_KEYS = {
  approve: "a",
  remove: "r",
  escalate: "e",
  warn: "w",
  suspend: "s",
  reveal: "v",
  grayscale: "g",
  next: "n",
  note: "c",
  help: "?",
} as const;

export type ReviewCommand =
  | { type: "action"; action: DecisionAction }
  | { type: "reason"; index: number }
  | { type: "warn" }
  | { type: "suspend" }
  | { type: "reveal" }
  | { type: "grayscale" }
  | { type: "next" }
  | { type: "note" }
  | { type: "help" }
  | { type: "submit" }
  | { type: "escape" };

/** The review command a key press means, or null for keys the panel leaves alone. */
export function reviewCommandForKey(event: KeyInput): ReviewCommand | null {
  if (hasShortcutModifier(event)) return null;
  switch (event.key) {
    case "Enter":
      return { type: "submit" };
    case "Escape":
      return { type: "escape" };
    case "?":
      return { type: "help" };
  }
  if (event.key.length !== 1) return null;
  const reason = indexForDigitKey(event.key);
  if (reason !== null) return { type: "reason", index: reason };
  switch (event.key.toLowerCase()) {
    case REVIEW_KEYS.approve:
      return { type: "action", action: "approve" };
    case REVIEW_KEYS.remove:
      return { type: "action", action: "remove" };
    case REVIEW_KEYS.escalate:
      return { type: "action", action: "escalate" };
    case REVIEW_KEYS.warn:
      return { type: "warn" };
    case REVIEW_KEYS.suspend:
      return { type: "suspend" };
    case REVIEW_KEYS.reveal:
      return { type: "reveal" };
    case REVIEW_KEYS.grayscale:
      return { type: "grayscale" };
    case REVIEW_KEYS.next:
      return { type: "next" };
    case REVIEW_KEYS.note:
      return { type: "note" };
  }
  return null;
}

/** The appeals page's keys, for the first open appeal: choose an outcome, then Enter sends it. */
export const APPEAL_KEYS = {
  uphold: "u",
  overturn: "o",
  note: "c",
} as const;

export type AppealCommand =
  | { type: "outcome"; outcome: "uphold" | "overturn" }
  | { type: "note" }
  | { type: "submit" }
  | { type: "escape" };

/** The appeal command a key press means, or null for keys the page leaves alone. */
export function appealCommandForKey(event: KeyInput): AppealCommand | null {
  if (hasShortcutModifier(event)) return null;
  switch (event.key) {
    case "Enter":
      return { type: "submit" };
    case "Escape":
      return { type: "escape" };
  }
  if (event.key.length !== 1) return null;
  switch (event.key.toLowerCase()) {
    case APPEAL_KEYS.uphold:
      return { type: "outcome", outcome: "uphold" };
    case APPEAL_KEYS.overturn:
      return { type: "outcome", outcome: "overturn" };
    case APPEAL_KEYS.note:
      return { type: "note" };
  }
  return null;
}
