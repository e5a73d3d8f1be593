import { renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { useKeyCommands } from "@/hooks/use-key-commands";

function toCommand(event: KeyboardEvent): string | null {
  return event.key === "a" || event.key === "Escape" ? event.key : null;
}

/** Dispatches a key press on `target` (bubbling to the window) and tells whether it was prevented. */
function press(key: string, { target = document.body, repeat = false } = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, repeat, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe("useKeyCommands", () => {
  it("hands mapped keys to onCommand and suppresses the browser's action when it acted", () => {
    const onCommand = vi.fn().mockReturnValueOnce(true).mockReturnValueOnce(false);
    renderHook(() => useKeyCommands(toCommand, onCommand));

    expect(press("a").defaultPrevented).toBe(true);
    expect(press("a").defaultPrevented).toBe(false);
    expect(press("b").defaultPrevented).toBe(false);
    expect(onCommand.mock.calls.map(([command]) => command)).toEqual(["a", "a"]);
    expect(typeof onCommand.mock.calls[0]?.[1]).toBe("number");
  });

  it("leaves a key press another listener already handled alone", () => {
    const onCommand = vi.fn(() => true);
    renderHook(() => useKeyCommands(toCommand, onCommand));
    const event = new KeyboardEvent("keydown", { key: "a", bubbles: true, cancelable: true });
    event.preventDefault();
    window.dispatchEvent(event);

    expect(onCommand).not.toHaveBeenCalled();
  });

  it("ignores held-down keys but still suppresses their browser action", () => {
    const onCommand = vi.fn(() => true);
    renderHook(() => useKeyCommands(toCommand, onCommand));

    expect(press("a", { repeat: true }).defaultPrevented).toBe(true);
    expect(onCommand).not.toHaveBeenCalled();
  });

  it("leaves keys typed into a text field alone", () => {
    const onCommand = vi.fn(() => true);
    renderHook(() => useKeyCommands(toCommand, onCommand));
    const field = document.body.appendChild(document.createElement("input"));
    field.focus();

    expect(press("a", { target: field }).defaultPrevented).toBe(false);
    press("Escape", { target: field });
    expect(onCommand).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(field);
  });

  it("lets Esc leave a text field when asked to", () => {
    const onCommand = vi.fn(() => true);
    renderHook(() => useKeyCommands(toCommand, onCommand, { blurTextFieldOnEscape: true }));
    const field = document.body.appendChild(document.createElement("textarea"));
    field.focus();

    press("Escape", { target: field });
    expect(document.activeElement).not.toBe(field);
    expect(onCommand).not.toHaveBeenCalled();
  });

  it("calls the latest onCommand and stops listening once unmounted", () => {
    const first = vi.fn(() => true);
    const second = vi.fn(() => true);
    const { rerender, unmount } = renderHook(({ handler }) => useKeyCommands(toCommand, handler), {
      initialProps: { handler: first },
    });
    rerender({ handler: second });
    press("a");
    unmount();
    press("a");

    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
