import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { BreakAction } from "../types";
import { moderationKeys } from "./keys";

/** Keep a break reminder's answer, with the active seconds on graphic content it followed. */
export function logBreak(input: { action: BreakAction; graphic_seconds: number }): Promise<unknown> {
  return api.post("/moderation/wellness/breaks/", input);
}

export function useLogBreak() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logBreak,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: moderationKeys.exposureAll }),
  });
}
