/** The parts of a key press a key map reads; a KeyboardEvent is one. */
export type KeyInput = {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
};

/**
 * True when Ctrl, Cmd or Alt is held. Such a press is a browser or system shortcut (copy,
 * reload, switch tab…), which a page's own keys leave alone so it keeps working.
 */
export function hasShortcutModifier(event: KeyInput): boolean {
  return Boolean(event.ctrlKey || event.metaKey || event.altKey);
}

/** True when a key press belongs to a text field, so a page's own keys must not act on it. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(type);
}

/** The digit key, 1–9, that picks the entry at a position counted from 0; null past the ninth. */
export function digitKeyFor(index: number): string | null {
  return Number.isInteger(index) && index >= 0 && index < 9 ? String(index + 1) : null;
}

/** The position, counted from 0, that a digit key 1–9 picks; null for any other key. */
export function indexForDigitKey(key: string): number | null {
  return key.length === 1 && key >= "1" && key <= "9" ? Number(key) - 1 : null;
}
