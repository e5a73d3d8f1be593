import { type RefObject, useEffect } from "react";

import { hasShortcutModifier, isTypingTarget } from "@/lib/keyboard";

type ScrollKeyOptions = {
  /** Space and Shift+Space page too (only where Space is not one of the page's own keys). */
  space?: boolean;
};

/** Controls whose own keys (Space presses a button, PageDown moves in a list) must keep working. */
const INTERACTIVE = "a[href], button, input, select, textarea, summary, [contenteditable='true'], [role='listbox']";

/** How much of the box one press pages by: most of it, keeping a few lines for context. */
const PAGE_FRACTION = 0.85;

/**
 * PageDown and PageUp (and, when asked, Space) scroll a workspace's content box while the focus is
 * on the page rather than on a control. In a workspace the page itself does not scroll (its content
 * scrolls in its own box), so without this those keys would do nothing. A press inside the box, or
 * on a button, field or link, is left to the browser; keys the page uses itself come first (a
 * press they handled is already `defaultPrevented`).
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
      if (target instanceof Element && target.closest(INTERACTIVE)) return;
      if (target instanceof Element && target.closest("[role='dialog']")) return;
      const page = Math.max(1, Math.round(box.clientHeight * PAGE_FRACTION));
      let delta = 0;
      if (event.key === "PageDown") delta = page;
      else if (event.key === "PageUp") delta = -page;
      else if (space && event.key === " ") delta = event.shiftKey ? -page : page;
      if (delta === 0) return;
      box.scrollBy({ top: delta });
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [ref, space]);
}
