import { useEffect, useRef } from "react";

import { isTypingTarget, type ReviewCommand, reviewCommandForKey } from "../utils/keymap";

/**
 * Listen for the review panel's keys on the whole page. `onCommand` returns whether it acted, in
 * which case the browser's own action is suppressed. Keys typed into a text field (the note, the
 * suspension days) are left alone, except Escape, which leaves the field; held-down keys do not
 * repeat a decision.
 */
export function useReviewKeys(onCommand: (command: ReviewCommand) => boolean) {
  const handler = useRef(onCommand);
  useEffect(() => {
    handler.current = onCommand;
  }, [onCommand]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented) return;
      if (isTypingTarget(event.target)) {
        if (event.key === "Escape" && event.target instanceof HTMLElement) event.target.blur();
        return;
      }
      const command = reviewCommandForKey(event);
      if (!command) return;
      if (event.repeat) {
        event.preventDefault();
        return;
      }
      if (handler.current(command)) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
