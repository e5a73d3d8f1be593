import { useEffect, useRef } from "react";

import { isTypingTarget } from "@/lib/keyboard";

type KeyCommandOptions = {
  /** Esc pressed in a text field leaves the field (so the page's keys work again). */
  blurTextFieldOnEscape?: boolean;
};

/**
 * Listen on the whole page for the keys a key map turns into commands.
 *
 * `toCommand` maps a key press to a command (null for keys the page leaves alone); `onCommand`
 * gets the command and the time of the press (performance.now()) and returns whether it acted,
 * in which case the browser's own action (scrolling on space, pressing a focused button on
 * Enter) is suppressed. Presses already handled, keys typed into a text field and keys held
 * down are left alone: an auto-repeating key must not act again and again.
 */
export function useKeyCommands<Command>(
  toCommand: (event: KeyboardEvent) => Command | null,
  onCommand: (command: Command, at: number) => boolean,
  { blurTextFieldOnEscape = false }: KeyCommandOptions = {},
): void {
  const mapKey = useRef(toCommand);
  const handler = useRef(onCommand);
  const blurOnEscape = useRef(blurTextFieldOnEscape);
  useEffect(() => {
    mapKey.current = toCommand;
    handler.current = onCommand;
    blurOnEscape.current = blurTextFieldOnEscape;
  }, [toCommand, onCommand, blurTextFieldOnEscape]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const at = performance.now();
      if (event.defaultPrevented) return;
      if (isTypingTarget(event.target)) {
        if (blurOnEscape.current && event.key === "Escape" && event.target instanceof HTMLElement) {
          event.target.blur();
        }
        return;
      }
      const command = mapKey.current(event);
      if (command === null) return;
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
