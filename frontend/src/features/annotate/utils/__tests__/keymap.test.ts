import { describe, expect, it } from "vitest";

import type { LabelClass } from "../../types";
import { commandForKey, labelKeys } from "../keymap";

function labelClass(name: string, order: number, hotkey = ""): LabelClass {
  return { id: order + 1, name, colour: "#123456", hotkey, order };
}

describe("labelKeys", () => {
  it("uses each class's hotkey, in class order", () => {
    const keys = labelKeys([labelClass("spam", 1, "2"), labelClass("ham", 0, "1")]);
    expect(keys.map((key) => [key.name, key.key])).toEqual([
      ["ham", "1"],
      ["spam", "2"],
    ]);
  });

  it("gives classes without a hotkey their position, unless another class took that digit", () => {
    const keys = labelKeys([labelClass("a-class", 0), labelClass("b-class", 1, "1"), labelClass("c-class", 2)]);
    expect(keys.map((key) => key.key)).toEqual([null, "1", "3"]);
  });

  it("does not let a class hotkey take a workspace command key", () => {
    const keys = labelKeys([labelClass("approve", 0, "a"), labelClass("other", 1, "o")]);
    expect(keys[0]).toMatchObject({ key: "1", shadowedHotkey: "a" });
    expect(keys[1]).toMatchObject({ key: "o", shadowedHotkey: null });
  });

  it("has no digit beyond the ninth class", () => {
    const keys = labelKeys(Array.from({ length: 11 }, (_, index) => labelClass(`class ${index}`, index)));
    expect(keys.map((key) => key.key)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", null, null]);
  });
});

describe("commandForKey", () => {
  const keys = labelKeys([labelClass("ham", 0, "1"), labelClass("spam", 1, "s")]);

  it("maps the workspace keys", () => {
    expect(commandForKey({ key: "a" }, keys)).toEqual({ type: "accept" });
    expect(commandForKey({ key: "X" }, keys)).toEqual({ type: "reject" });
    expect(commandForKey({ key: " " }, keys)).toEqual({ type: "skip" });
    expect(commandForKey({ key: " ", shiftKey: true }, keys)).toEqual({ type: "skipWithReason" });
    expect(commandForKey({ key: "Backspace" }, keys)).toEqual({ type: "undo" });
    expect(commandForKey({ key: "z" }, keys)).toEqual({ type: "undo" });
    expect(commandForKey({ key: "g" }, keys)).toEqual({ type: "guidelines" });
    expect(commandForKey({ key: "?" }, keys)).toEqual({ type: "help" });
    expect(commandForKey({ key: "Enter" }, keys)).toEqual({ type: "confirm" });
    expect(commandForKey({ key: "Escape" }, keys)).toEqual({ type: "escape" });
  });

  it("maps label keys to their class and leaves other keys alone", () => {
    expect(commandForKey({ key: "1" }, keys)).toEqual({ type: "label", label: "ham" });
    expect(commandForKey({ key: "S" }, keys)).toEqual({ type: "label", label: "spam" });
    expect(commandForKey({ key: "2" }, keys)).toBeNull();
    expect(commandForKey({ key: "ArrowDown" }, keys)).toBeNull();
  });

  it("leaves shortcuts with modifiers to the browser", () => {
    expect(commandForKey({ key: "a", ctrlKey: true }, keys)).toBeNull();
    expect(commandForKey({ key: "z", metaKey: true }, keys)).toBeNull();
    expect(commandForKey({ key: "1", altKey: true }, keys)).toBeNull();
  });
});
