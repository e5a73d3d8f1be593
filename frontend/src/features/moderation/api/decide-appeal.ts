import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Appeal, AppealOutcome } from "../types";
import { moderationKeys } from "./keys";

type DecideAppealInput = { appealId: number; outcome: AppealOutcome; note: string };

/** Uphold or overturn. Refused (403) when the caller made the appealed decision. */
export function decideAppeal({ appealId, outcome, note }: DecideAppealInput): Promise<Appeal> {
  return api.post<Appeal>(`/moderation/appeals/${appealId}/decide/`, { outcome, note });
}

export function useDecideAppeal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: decideAppeal,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: moderationKeys.appealsAll });
    },
  });
}
