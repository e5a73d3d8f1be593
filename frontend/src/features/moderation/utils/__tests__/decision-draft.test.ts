import { describe, expect, it } from "vitest";

import { policy } from "../../testing/fixtures";
import {
  chooseAction,
  chooseReason,
  draftProblem,
  draftToInput,
  EMPTY_DRAFT,
  reasonsFor,
  toggleAuthorAction,
} from "../decision-draft";

const CODES = policy().reason_codes;

describe("decision drafts", () => {
  it("offers the reasons of the chosen action, numbered in order", () => {
    expect(reasonsFor(CODES, "remove").map((code) => code.code)).toEqual(["SPAM-1", "SPAM-2"]);
    expect(reasonsFor(CODES, null)).toHaveLength(4);
  });

  it("picks the only fitting reason with the action, and drops a reason of another action", () => {
    const approved = chooseAction(EMPTY_DRAFT, CODES, "approve");
    expect(approved).toMatchObject({ action: "approve", reasonCode: "OK-1" });
    const removed = chooseAction(approved, CODES, "remove");
    expect(removed).toMatchObject({ action: "remove", reasonCode: null });
  });

  it("takes the reason's action when a digit comes before an action", () => {
    expect(chooseReason(EMPTY_DRAFT, CODES, 1)).toMatchObject({ action: "remove", reasonCode: "SPAM-1" });
    expect(chooseReason(EMPTY_DRAFT, CODES, 8)).toBe(EMPTY_DRAFT);
  });

  it("says what is missing before sending", () => {
    expect(draftProblem(EMPTY_DRAFT, CODES)).toMatch(/Choose approve/);
    expect(draftProblem(chooseAction(EMPTY_DRAFT, CODES, "remove"), CODES)).toMatch(/reason code/);
    const suspend = { ...chooseReason(EMPTY_DRAFT, CODES, 1), authorAction: "suspend" as const, suspendDays: 0 };
    expect(draftProblem(suspend, CODES)).toMatch(/days/);
    // An escalation may go without a reason when the policy has none for it.
    const noEscalationCodes = CODES.filter((code) => code.action !== "escalate");
    expect(draftProblem(chooseAction(EMPTY_DRAFT, noEscalationCodes, "escalate"), noEscalationCodes)).toBeNull();
  });

  it("sends suspend days only with a suspension, and the note trimmed", () => {
    const draft = toggleAuthorAction({ ...chooseReason(EMPTY_DRAFT, CODES, 0), note: "  spam run  " }, "warn");
    expect(draftToInput(draft)).toEqual({
      action: "approve",
      reason_code: "OK-1",
      note: "spam run",
      author_action: "warn",
    });
    const suspended = toggleAuthorAction({ ...draft, suspendDays: 3 }, "suspend");
    expect(draftToInput(suspended)).toMatchObject({ author_action: "suspend", suspend_days: 3 });
    expect(toggleAuthorAction(toggleAuthorAction(draft, "warn"), "warn").authorAction).toBe("warn");
  });
});
