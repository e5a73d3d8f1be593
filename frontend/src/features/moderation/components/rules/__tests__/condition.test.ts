import { describe, expect, it } from "vitest";

import { conditionOf, describeCondition, emptyRow } from "../condition";

describe("conditionOf", () => {
  it("joins rows with all / any and negates the rows marked not", () => {
    const bank = { ...emptyRow("bank"), bank: "scam phrases" };
    const young = { ...emptyRow("account_age_days"), op: "<", value: "7" };
    const score = { ...emptyRow("score"), category: "spam", op: ">=", value: "0.9", negate: true };

    expect(conditionOf("all", [bank, young, score])).toEqual({
      all: [
        { signal: "bank", bank: "scam phrases" },
        { signal: "account_age_days", op: "<", value: 7 },
        { not: { signal: "score", category: "spam", model: "production", op: ">=", value: 0.9 } },
      ],
    });
  });

  it("sends lists for 'is one of' and numbers for numeric comparisons of context fields", () => {
    const surface = { ...emptyRow("metadata"), field: "surface", op: "in", value: "dm, comment" };
    const followers = { ...emptyRow("metadata"), field: "followers", op: ">=", value: "1000" };
    const set = { ...emptyRow("metadata"), field: "url", op: "exists" };

    expect(conditionOf("any", [surface, followers, set])).toEqual({
      any: [
        { signal: "metadata", field: "surface", op: "in", value: ["dm", "comment"] },
        { signal: "metadata", field: "followers", op: ">=", value: 1000 },
        { signal: "metadata", field: "url", op: "exists" },
      ],
    });
  });
});

describe("describeCondition", () => {
  it("says a condition in words", () => {
    expect(
      describeCondition({
        all: [
          { signal: "bank", bank: "scam phrases" },
          { not: { signal: "score", category: "spam", model: "shadow", op: ">=", value: 0.9 } },
          { any: [{ signal: "hash_match" }, { signal: "reports", op: ">=", value: 3 }] },
        ],
      }),
    ).toBe(
      "text hits bank “scam phrases” and not score of spam (shadow) >= 0.9 and (hash-bank match or reports >= 3)",
    );
  });
});
