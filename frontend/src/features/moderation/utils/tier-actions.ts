import type { DecisionAction, ReviewTier } from "../types";

const TIER_ACTIONS: Record<ReviewTier, readonly DecisionAction[]> = {
  standard: ["approve", "remove", "escalate"],
  // Senior moderators are where escalations end: there is no tier above them.
  senior: ["approve", "remove"],
};

/** The decisions a queue tier offers (one array per tier, the same on every call). */
export function actionsForTier(tier: ReviewTier): readonly DecisionAction[] {
  return TIER_ACTIONS[tier];
}
