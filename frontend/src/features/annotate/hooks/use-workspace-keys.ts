import { useEffect, useRef } from "react";

import { type Command, commandForKey, isTypingTarget, type LabelKey } from "../utils/keymap";

/**
 * Listen for the workspace's keys on the whole page.
 *
 * `onCommand` gets the command and the time of the key press (performance.now()) and returns
 * whether it acted, in which case the browser's own action (scrolling on space, pressing a
 * focused button on Enter) is suppressed. Keys typed into a text field are left alone, and so
 * are keys held down: an auto-repeating key must not answer a row of items.
 */
export function useWorkspaceKeys(keys: readonly LabelKey[], onCommand: (command: Command, at: number) => boolean) {
  const handler = useRef(onCommand);
  const labelKeys = useRef(keys);

  useEffect(() => {
    handler.current = onCommand;
    labelKeys.current = keys;
  }, [onCommand, keys]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const at = performance.now();
      if (event.defaultPrevented || isTypingTarget(event.target)) return;
      const command = commandForKey(event, labelKeys.current);
      if (!command) return;
      if (event.repeat) {
        event.preventDefault();
        return;
      }
      if (handler.current(command, at)) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
