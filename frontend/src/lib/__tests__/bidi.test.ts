import { describe, expect, it } from "vitest";

import { isolate } from "../bidi";

describe("isolate", () => {
  it("wraps text in first-strong isolate marks so an override inside stays inside", () => {
    const spoof = "invoice\u202egnp.exe";

    const sentence = `Remove ${isolate(spoof)} from this project?`;

    expect(sentence).toBe("Remove \u2068invoice\u202egnp.exe\u2069 from this project?");
    // The override is closed before the words that follow it.
    expect(sentence.indexOf("\u2069")).toBeLessThan(sentence.indexOf(" from"));
  });
});
