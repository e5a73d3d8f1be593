import { renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { useScrollKeys } from "@/hooks/use-scroll-keys";

/** A content box in the page whose scrolling is recorded. */
function contentBox() {
  const box = document.createElement("div");
  box.textContent = "A long email…";
  const scrollBy = vi.fn();
  box.scrollBy = scrollBy as unknown as typeof box.scrollBy;
  document.body.append(box);
  return { box, scrollBy };
}

function press(key: string, { target = document.body as Element, shiftKey = false } = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe("useScrollKeys", () => {
  it("pages the content box down and up with PageDown and PageUp from the page", () => {
    const { box, scrollBy } = contentBox();
    renderHook(() => useScrollKeys({ current: box }));

    expect(press("PageDown").defaultPrevented).toBe(true);
    expect(press("PageUp").defaultPrevented).toBe(true);
    const directions = scrollBy.mock.calls.map(([options]) => Math.sign((options as ScrollToOptions).top ?? 0));
    expect(directions).toEqual([1, -1]);
  });

  it("leaves Space alone unless asked, and then still lets it press a focused button", () => {
    const { box, scrollBy } = contentBox();
    const button = document.createElement("button");
    document.body.append(button);
    const { rerender } = renderHook(({ space }) => useScrollKeys({ current: box }, { space }), {
      initialProps: { space: false },
    });

    expect(press(" ").defaultPrevented).toBe(false);
    rerender({ space: true });
    expect(press(" ", { target: button }).defaultPrevented).toBe(false);
    expect(scrollBy).not.toHaveBeenCalled();
    expect(press(" ").defaultPrevented).toBe(true);
    expect(press(" ", { shiftKey: true }).defaultPrevented).toBe(true);
    expect(scrollBy).toHaveBeenCalledTimes(2);
  });

  it("leaves keys typed in a text field, and keys the page already handled, to them", () => {
    const { box, scrollBy } = contentBox();
    const note = document.createElement("textarea");
    document.body.append(note);
    renderHook(() => useScrollKeys({ current: box }, { space: true }));

    press("PageDown", { target: note });
    press(" ", { target: note });
    const handled = new KeyboardEvent("keydown", { key: "PageDown", bubbles: true, cancelable: true });
    handled.preventDefault();
    document.body.dispatchEvent(handled);
    expect(scrollBy).not.toHaveBeenCalled();
  });
});
