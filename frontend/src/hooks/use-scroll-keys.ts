import { type RefObject, useEffect } from "react";

import { hasShortcutModifier, isTypingTarget } from "@/lib/keyboard";

type ScrollKeyOptions = {
  /** Space and Shift+Space page too (only where Space is not one of the page's own keys). */
  space?: boolean;
};

/** Controls that Space presses (a button, a link, a checkbox…): Space keeps doing that there. */
const PRESSED_BY_SPACE = "a[href], button, input, select, textarea, summary, [contenteditable='true'], [role='button']";

/** Controls with PageDown / PageUp of their own (a list box moves its selection). */
const OWN_PAGE_KEYS = "select, [role='listbox'], [role='dialog']";

/** True when the element or one of its ancestors is a box that scrolls (the browser pages it). */
function insideScrollingBox(element: Element): boolean {
  for (let node: Element | null = element; node && node !== document.body; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return true;
  }
  return false;
}

/** How much of the box one press pages by: most of it, keeping a few lines for context. */
const PAGE_FRACTION = 0.85;

/**
 * PageDown and PageUp (and, when asked, Space) scroll a workspace's content box from anywhere on
 * the page. In a workspace the page itself does not scroll (its content scrolls in its own box),
 * so without this those keys would do nothing. Left to the browser: a press inside the box, in a
 * text field, list or dialog, in another box that scrolls, and Space on a button or link (which
 * it presses). Keys the page uses itself come first (a press they handled is already
 * `defaultPrevented`).
 */
export function useScrollKeys(ref: RefObject<HTMLElement | null>, { space = false }: ScrollKeyOptions = {}): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || hasShortcutModifier(event)) return;
      const box = ref.current;
      if (!box) return;
      const target = event.target;
      if (target instanceof Node && box.contains(target)) return;
      if (isTypingTarget(target)) return;
      const element = target instanceof Element ? target : null;
      const page = Math.max(1, Math.round(box.clientHeight * PAGE_FRACTION));
      let delta = 0;
      if (event.key === "PageDown" || event.key === "PageUp") {
        // From a button just clicked the item still pages; from a list or another scrolling box
        // (the context column) the browser does what it always does.
        if (element && (element.closest(OWN_PAGE_KEYS) || insideScrollingBox(element))) return;
        delta = event.key === "PageDown" ? page : -page;
      } else if (space && event.key === " ") {
        if (element?.closest(PRESSED_BY_SPACE) || element?.closest(OWN_PAGE_KEYS)) return;
        delta = event.shiftKey ? -page : page;
      }
      if (delta === 0) return;
      box.scrollBy({ top: delta });
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [ref, space]);
}
