import { digitKeyFor, hasShortcutModifier, type KeyInput } from "@/lib/keyboard";

import type { LabelClass } from "../types";

/** Keys the workspace itself uses; a label class hotkey on one of them is shadowed. */
export const COMMAND_KEYS = {
  accept: "a",
  reject: "x",
  undo: "z",
  guidelines: "g",
  flag: "f",
  zoom: "v",
  similar: "n",
  help: "?",
  skip: " ",
} as const;

const RESERVED = new Set<string>(Object.values(COMMAND_KEYS));

/** A label class with the key that picks it in the workspace (null when it has none). */
export type LabelKey = {
  name: string;
  colour: string;
  key: string | null;
  /** The class's own hotkey when the workspace uses that key for something else. */
  shadowedHotkey: string | null;
  /** What the class means, as the project's admin described it (plain text). */
  description?: string;
};

/**
 * Which key picks which label class.
 *
 * A class's own hotkey wins (unless the workspace needs that key); a class without one gets its
 * position, 1–9, when no other class claimed that digit. With the server's default hotkeys this
 * is simply 1, 2, 3… in class order.
 */
export function labelKeys(labelClasses: readonly LabelClass[]): LabelKey[] {
  const ordered = [...labelClasses].sort((a, b) => a.order - b.order);
  const own = ordered.map((labelClass) => {
    const hotkey = (labelClass.hotkey ?? "").toLowerCase();
    return hotkey && !RESERVED.has(hotkey) ? hotkey : null;
  });
  const taken = new Set(own.filter((key): key is string => key !== null));
  return ordered.map((labelClass, index) => {
    const hotkey = (labelClass.hotkey ?? "").toLowerCase();
    let key = own[index] ?? null;
    const digit = digitKeyFor(index);
    if (key === null && digit !== null && !taken.has(digit)) {
      key = digit;
      taken.add(key);
    }
    return {
      name: labelClass.name,
      colour: labelClass.colour ?? "",
      key,
      shadowedHotkey: hotkey && RESERVED.has(hotkey) ? hotkey : null,
      ...(labelClass.description ? { description: labelClass.description } : {}),
    };
  });
}

export type Command =
  | { type: "accept" }
  | { type: "reject" }
  | { type: "label"; label: string }
  | { type: "confirm" }
  | { type: "skip" }
  | { type: "skipWithReason" }
  | { type: "undo" }
  | { type: "guidelines" }
  | { type: "help" }
  | { type: "flag" }
  | { type: "zoom" }
  | { type: "similar" }
  | { type: "escape" };

/** The workspace command a key press means, or null for keys the workspace leaves alone. */
export function commandForKey(event: KeyInput, keys: readonly LabelKey[]): Command | null {
  if (hasShortcutModifier(event)) return null;
  switch (event.key) {
    case "Enter":
      return { type: "confirm" };
    case "Escape":
      return { type: "escape" };
    case "Backspace":
      return { type: "undo" };
    case "?":
      return { type: "help" };
    case " ":
    case "Spacebar":
      return event.shiftKey ? { type: "skipWithReason" } : { type: "skip" };
  }
  if (event.key.length !== 1) return null;
  const key = event.key.toLowerCase();
  switch (key) {
    case COMMAND_KEYS.accept:
      return { type: "accept" };
    case COMMAND_KEYS.reject:
      return { type: "reject" };
    case COMMAND_KEYS.undo:
      return { type: "undo" };
    case COMMAND_KEYS.guidelines:
      return { type: "guidelines" };
    case COMMAND_KEYS.flag:
      return { type: "flag" };
    case COMMAND_KEYS.zoom:
      return { type: "zoom" };
    case COMMAND_KEYS.similar:
      return { type: "similar" };
  }
  const match = keys.find((labelKey) => labelKey.key === key);
  return match ? { type: "label", label: match.name } : null;
}
