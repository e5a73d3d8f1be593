import { describe, expect, it } from "vitest";

import { scoreWithInterval, trainedOnText } from "../metric-text";

describe("scoreWithInterval", () => {
  it("shows the score, its interval and the number of items", () => {
    expect(scoreWithInterval(0.8125, [0.6181, 0.9236], 19)).toBe("0.81 (0.62–0.92, n=19)");
  });

  it("shows the score with its n when no interval was recorded", () => {
    expect(scoreWithInterval(0.9, null, 40)).toBe("0.90 (n=40)");
    expect(scoreWithInterval(0.9, undefined)).toBe("0.90");
  });

  it("shows a dash when there is no score", () => {
    expect(scoreWithInterval(null, [0.1, 0.2], 5)).toBe("—");
  });
});

describe("trainedOnText", () => {
  it("counts every source, zeros included", () => {
    expect(
      trainedOnText({ labelCount: 328, trainN: 328, sources: { import: 328, human: 0, moderation: 0, appeal: 0 } }),
    ).toBe("328 labels: 328 imported, 0 by annotators, 0 from moderation, 0 from appeals");
  });

  it("adds automatic labels when the project trained on them", () => {
    expect(trainedOnText({ labelCount: 10, trainN: 15, sources: { import: 0, human: 10, auto: 5 } })).toBe(
      "15 labels: 0 imported, 10 by annotators, 5 automatic",
    );
  });

  it("says so when a version predates counting by source", () => {
    expect(trainedOnText({ labelCount: 328 })).toBe(
      "328 labels (sources not recorded for this version)",
    );
  });
});
