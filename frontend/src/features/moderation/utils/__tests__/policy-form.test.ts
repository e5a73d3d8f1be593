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
    });
    expect(update.reason_codes?.map((code) => code.code)).toEqual(["OK-1", "SPAM-1", "SPAM-2", "ESC-1"]);
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
