import { describe, expect, it } from "vitest";

import { policy } from "../../testing/fixtures";
import { newCategory, newReasonCode, policyDraft, policyDraftProblem, policyDraftToUpdate } from "../policy-form";

describe("policy form", () => {
  it("round-trips a policy into the PATCH body, rules one per line", () => {
    const draft = policyDraft(policy());
    expect(draft.categories[0]?.rulesText).toBe("free money");
    const update = policyDraftToUpdate({
      ...draft,
      categories: draft.categories.map((category) => ({
        ...category,
        rulesText: "free money\n\n  crypto\\s+giveaway ",
        graphic: true,
      })),
    });
    expect(update.categories?.[0]).toEqual({
      name: "spam",
      label_class: "spam",
      severity: 2,
      remove_threshold: 0.97,
      allow_threshold: 0.05,
      sla_hours: 24,
      graphic: true,
      rules: ["free money", "crypto\\s+giveaway"],
      strike_points: null,
    });
    expect(update.reason_codes?.map((code) => code.code)).toEqual(["OK-1", "SPAM-1", "SPAM-2", "ESC-1"]);
  });

  it("refuses strike points and thresholds outside the server's limits", () => {
    const draft = policyDraft(policy());
    const withCategoryPoints = (points: number) => ({
      ...draft,
      categories: draft.categories.map((c) => ({ ...c, strike_points: points })),
    });
    expect(policyDraftProblem(withCategoryPoints(101))).toMatch(/strike points are a whole number from 0 to 100/);
    expect(policyDraftProblem(withCategoryPoints(-1))).toMatch(/strike points/);
    expect(policyDraftProblem(withCategoryPoints(0))).toBeNull();
    expect(policyDraftProblem({ ...draft, strike_ttl_days: 1.5 })).toMatch(/whole number of days/);
    expect(
      policyDraftProblem({ ...draft, strike_thresholds: [{ points: 0, action: "warn", suspend_days: null }] }),
    ).toMatch(/from 1 to 10000/);
    const many = Array.from({ length: 11 }, (_, i) => ({ points: i + 1, action: "warn" as const, suspend_days: null }));
    expect(policyDraftProblem({ ...draft, strike_thresholds: many })).toMatch(/At most 10/);
  });

  it("refuses an allow threshold at or above the remove threshold", () => {
    const draft = policyDraft(policy());
    const bad = { ...draft, categories: draft.categories.map((c) => ({ ...c, allow_threshold: 0.97 })) };
    expect(policyDraftProblem(bad)).toMatch(/allow threshold must be below the remove threshold/);
  });

  it("refuses an invalid regex, a nameless category and a duplicate or dangling reason code", () => {
    const draft = policyDraft(policy());
    expect(
      policyDraftProblem({ ...draft, categories: draft.categories.map((c) => ({ ...c, rulesText: "([a-z" })) }),
    ).toMatch(/not a valid regular expression/);
    expect(policyDraftProblem({ ...draft, categories: [...draft.categories, newCategory("spam")] })).toMatch(
      /needs a name/,
    );
    expect(
      policyDraftProblem({ ...draft, reason_codes: [...draft.reason_codes, { ...newReasonCode(), code: "OK-1", description: "x" }] }),
    ).toMatch(/listed twice/);
    expect(
      policyDraftProblem({
        ...draft,
        reason_codes: [{ ...newReasonCode(), code: "H-1", description: "Hate", category: "hate" }],
      }),
    ).toMatch(/category the policy does not have/);
    expect(policyDraftProblem(draft)).toBeNull();
  });
});
