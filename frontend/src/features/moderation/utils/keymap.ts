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

export type KeyInput = {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
};

/** The review command a key press means, or null for keys the panel leaves alone. */
export function reviewCommandForKey(event: KeyInput): ReviewCommand | null {
  // Browser and system shortcuts (copy, reload, switch tab…) keep working.
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (event.key) {
    case "Enter":
      return { type: "submit" };
    case "Escape":
      return { type: "escape" };
    case "?":
      return { type: "help" };
  }
  if (event.key.length !== 1) return null;
  if (event.key >= "1" && event.key <= "9") return { type: "reason", index: Number(event.key) - 1 };
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

/** True when a key press belongs to a text field, so the panel must not act on it. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(type);
}
