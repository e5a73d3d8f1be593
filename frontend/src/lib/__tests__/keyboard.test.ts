import { describe, expect, it } from "vitest";

import { digitKeyFor, hasShortcutModifier, indexForDigitKey, isTypingTarget } from "@/lib/keyboard";

describe("hasShortcutModifier", () => {
  it("is true with Ctrl, Cmd or Alt held, so browser shortcuts keep working", () => {
    expect(hasShortcutModifier({ key: "a", ctrlKey: true })).toBe(true);
    expect(hasShortcutModifier({ key: "z", metaKey: true })).toBe(true);
    expect(hasShortcutModifier({ key: "1", altKey: true })).toBe(true);
  });

  it("is false for a plain key or one with only Shift", () => {
    expect(hasShortcutModifier({ key: "a" })).toBe(false);
    expect(hasShortcutModifier({ key: "A", ctrlKey: false, metaKey: false, altKey: false })).toBe(false);
  });
});

describe("isTypingTarget", () => {
  it("is true for text fields and editable content", () => {
    const text = document.createElement("input");
    const number = Object.assign(document.createElement("input"), { type: "number" });
    const editable = document.createElement("div");
    editable.contentEditable = "true";
    Object.defineProperty(editable, "isContentEditable", { value: true });
    expect(isTypingTarget(text)).toBe(true);
    expect(isTypingTarget(number)).toBe(true);
    expect(isTypingTarget(document.createElement("textarea"))).toBe(true);
    expect(isTypingTarget(document.createElement("select"))).toBe(true);
    expect(isTypingTarget(editable)).toBe(true);
  });

  it("is false for buttons, checkboxes, the page itself and no target", () => {
    const checkbox = Object.assign(document.createElement("input"), { type: "checkbox" });
    expect(isTypingTarget(checkbox)).toBe(false);
    expect(isTypingTarget(document.createElement("button"))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("digit keys", () => {
  it("gives the first nine positions the keys 1 to 9 and no key after them", () => {
    expect(digitKeyFor(0)).toBe("1");
    expect(digitKeyFor(8)).toBe("9");
    expect(digitKeyFor(9)).toBeNull();
    expect(digitKeyFor(-1)).toBeNull();
  });

  it("reads the keys 1 to 9 back as positions and other keys as none", () => {
    expect(indexForDigitKey("1")).toBe(0);
    expect(indexForDigitKey("9")).toBe(8);
    expect(indexForDigitKey("0")).toBeNull();
    expect(indexForDigitKey("a")).toBeNull();
    expect(indexForDigitKey("F1")).toBeNull();
  });
});
