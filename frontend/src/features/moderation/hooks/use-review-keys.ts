import { useKeyCommands } from "@/hooks/use-key-commands";

import { type ReviewCommand, reviewCommandForKey } from "../utils/keymap";

/**
 * Listen for the review panel's keys on the whole page. `onCommand` returns whether it acted, in
 * which case the browser's own action is suppressed. Keys typed into a text field (the note, the
 * suspension days) are left alone, except Escape, which leaves the field; held-down keys do not
 * repeat a decision.
 */
export function useReviewKeys(onCommand: (command: ReviewCommand) => boolean) {
  useKeyCommands(reviewCommandForKey, onCommand, { blurTextFieldOnEscape: true });
}
