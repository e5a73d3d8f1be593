import { describe, expect, it } from "vitest";

import { actionsForTier } from "../tier-actions";

describe("actionsForTier", () => {
  it("offers escalation to moderators but not to seniors, the top of the ladder", () => {
    expect(actionsForTier("standard")).toEqual(["approve", "remove", "escalate"]);
    expect(actionsForTier("senior")).toEqual(["approve", "remove"]);
  });
});
