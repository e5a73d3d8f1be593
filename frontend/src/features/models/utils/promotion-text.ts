import type { Promotion } from "../types";

/**
 * The training run's decision about a version in a few words and its reason, e.g. "Stays in shadow:
 * new versions of this project start in shadow (held-out F1 is 0 for spam …)". Null when the run made
 * none (versions registered before decisions were recorded).
 */
export function promotionText(promotion: Promotion | null | undefined): { verdict: string; reason: string } | null {
  if (!promotion || promotion.promoted === undefined) return null;
  const verdict = promotion.promoted
    ? "Promoted"
    : promotion.stage === "shadow"
      ? "Stays in shadow"
      : "Not promoted";
  return { verdict, reason: promotion.reason ?? "" };
}
