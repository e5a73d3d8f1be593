import { describe, expect, it } from "vitest";

import { appealCommandForKey, reviewCommandForKey } from "../keymap";

describe("reviewCommandForKey", () => {
  it("maps every review key to its command", () => {
    expect(reviewCommandForKey({ key: "a" })).toEqual({ type: "action", action: "approve" });
    expect(reviewCommandForKey({ key: "R" })).toEqual({ type: "action", action: "remove" });
    expect(reviewCommandForKey({ key: "e" })).toEqual({ type: "action", action: "escalate" });
    expect(reviewCommandForKey({ key: "3" })).toEqual({ type: "reason", index: 2 });
    expect(reviewCommandForKey({ key: "w" })).toEqual({ type: "warn" });
    expect(reviewCommandForKey({ key: "s" })).toEqual({ type: "suspend" });
    expect(reviewCommandForKey({ key: "v" })).toEqual({ type: "reveal" });
    expect(reviewCommandForKey({ key: "g" })).toEqual({ type: "grayscale" });
    expect(reviewCommandForKey({ key: "n" })).toEqual({ type: "next" });
    expect(reviewCommandForKey({ key: "c" })).toEqual({ type: "note" });
    expect(reviewCommandForKey({ key: "?" })).toEqual({ type: "help" });
    expect(reviewCommandForKey({ key: "Enter" })).toEqual({ type: "submit" });
    expect(reviewCommandForKey({ key: "Escape" })).toEqual({ type: "escape" });
  });

  it("leaves browser shortcuts and other keys alone", () => {
    expect(reviewCommandForKey({ key: "r", ctrlKey: true })).toBeNull();
    expect(reviewCommandForKey({ key: "a", metaKey: true })).toBeNull();
    expect(reviewCommandForKey({ key: "0" })).toBeNull();
    expect(reviewCommandForKey({ key: "Tab" })).toBeNull();
    expect(reviewCommandForKey({ key: "q" })).toBeNull();
  });

  it("maps the appeal keys, and leaves shortcuts alone", () => {
    expect(appealCommandForKey({ key: "u" })).toEqual({ type: "outcome", outcome: "uphold" });
    expect(appealCommandForKey({ key: "O" })).toEqual({ type: "outcome", outcome: "overturn" });
    expect(appealCommandForKey({ key: "c" })).toEqual({ type: "note" });
    expect(appealCommandForKey({ key: "Enter" })).toEqual({ type: "submit" });
    expect(appealCommandForKey({ key: "Escape" })).toEqual({ type: "escape" });
    expect(appealCommandForKey({ key: "u", ctrlKey: true })).toBeNull();
    expect(appealCommandForKey({ key: "x" })).toBeNull();
  });
});
