import { type RefObject, useLayoutEffect } from "react";

/**
 * Tells a workspace how much of the window is left below its top edge, as the CSS variable
 * `--fit-height` on the element, so its stylesheet can give it exactly that height: long content
 * then scrolls inside its own box and the proposal and the action bar stay on screen whatever the
 * item. Kept up to date when the window is resized and when anything above the workspace grows or
 * shrinks (a status line appearing, a notice wrapping onto a second line).
 *
 * The stylesheet decides whether to use it (only on windows big enough to hold a workspace; a
 * phone keeps the page's own scroll).
 */
export function useFitToViewport(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    let shown = "";
    const update = () => {
      const box = element.getBoundingClientRect();
      const top = box.top + window.scrollY;
      // What the page keeps below the workspace (its bottom padding) stays on screen too. The
      // body's bottom, not the document's scroll height: that is never less than the window.
      const below = Math.max(0, document.body.getBoundingClientRect().bottom - box.bottom);
      const height = `${Math.max(0, Math.floor(window.innerHeight - top - below))}px`;
      // Only a change is written: writing resizes the page, which calls this again.
      if (height === shown) return;
      shown = height;
      element.style.setProperty("--fit-height", height);
    };
    update();
    window.addEventListener("resize", update);
    // Something above the workspace changing height changes the page's height too.
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(update);
    observer?.observe(document.body);
    return () => {
      window.removeEventListener("resize", update);
      observer?.disconnect();
    };
  }, [ref]);
}
