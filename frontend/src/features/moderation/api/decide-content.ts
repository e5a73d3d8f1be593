import { api } from "@/lib/api-client";

import type { DecisionInput, DecisionSummary } from "../types";

/** Decide leased content. 400 for a reason code the policy does not have, 409 when already decided. */
export function decideContent({
  contentId,
  input,
}: {
  contentId: number;
  input: DecisionInput;
}): Promise<DecisionSummary> {
  return api.post<DecisionSummary>(`/moderation/contents/${contentId}/decide/`, input);
}
