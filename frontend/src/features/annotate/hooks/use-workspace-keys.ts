import { useCallback } from "react";

import { useKeyCommands } from "@/hooks/use-key-commands";

import { type Command, commandForKey, type LabelKey } from "../utils/keymap";

/**
 * Listen for the workspace's keys on the whole page.
 *
 * `onCommand` gets the command and the time of the key press (performance.now()) and returns
 * whether it acted, in which case the browser's own action (scrolling on space, pressing a
 * focused button on Enter) is suppressed. Keys typed into a text field are left alone, and so
 * are keys held down: an auto-repeating key must not answer a row of items.
 */
export function useWorkspaceKeys(keys: readonly LabelKey[], onCommand: (command: Command, at: number) => boolean) {
  const toCommand = useCallback((event: KeyboardEvent) => commandForKey(event, keys), [keys]);
  useKeyCommands(toCommand, onCommand);
}
