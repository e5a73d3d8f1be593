import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { moderationKeys } from "./keys";

type RevealOutput = { counted: boolean; graphic: boolean };

/** Record that the moderator revealed a content's masked flagged terms (audited; graphic content counts). */
export function revealText(contentId: number): Promise<RevealOutput> {
  return api.post<RevealOutput>(`/moderation/contents/${contentId}/reveal/`, { kind: "text" });
}

export function useRevealText() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revealText,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: moderationKeys.exposureAll }),
  });
}
