import { describe, expect, it } from "vitest";

import { breakDue, formatActiveTime, maskFor, mediaFilter, toneFilter } from "../wellness";

describe("wellness filters", () => {
  it("blurs by strength and keeps the colour settings when the blur is lifted", () => {
    const look = { blur: "strong", grayscale: true, sepia: false } as const;
    expect(mediaFilter(look, { veiled: true })).toBe("blur(16px) grayscale(1)");
    expect(mediaFilter(look, { veiled: false })).toBe("grayscale(1)");
    expect(mediaFilter({ blur: "light", grayscale: false, sepia: true }, { veiled: true })).toBe("blur(6px) sepia(1)");
    expect(mediaFilter({ blur: "light", grayscale: false, sepia: false }, { veiled: true })).toBe("blur(6px)");
  });

  it("is no filter at all with nothing on", () => {
    expect(mediaFilter({ blur: "none", grayscale: false, sepia: false }, { veiled: true })).toBe("none");
    expect(toneFilter({ grayscale: true, sepia: true })).toBe("grayscale(1) sepia(1)");
  });
});

describe("break reminders", () => {
  it("are due once the configured minutes of graphic content have passed, never when off", () => {
    expect(breakDue(29 * 60 + 59, 30)).toBe(false);
    expect(breakDue(30 * 60, 30)).toBe(true);
    expect(breakDue(10_000, 0)).toBe(false);
  });

  it("say how long in words a person reads at a glance", () => {
    expect(formatActiveTime(42.7)).toBe("42 s");
    expect(formatActiveTime(25 * 60 + 10)).toBe("25 min");
    expect(formatActiveTime(65 * 60)).toBe("1 h 05 min");
  });
});

describe("masks", () => {
  it("hide a flagged piece's letters and length beyond a dozen", () => {
    expect(maskFor("kill")).toBe("████");
    expect(maskFor("a")).toBe("███");
    expect(maskFor("x".repeat(40))).toBe("█".repeat(12));
  });
});
