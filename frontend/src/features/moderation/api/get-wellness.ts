import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Wellness, WellnessInput } from "../types";
import { moderationKeys } from "./keys";

/** Your wellness settings: what applies, your own values (null follows the default), the defaults. */
export function getWellness(): Promise<Wellness> {
  return api.get<Wellness>("/moderation/wellness/me/");
}

export function useWellness() {
  return useQuery({ queryKey: moderationKeys.wellness, queryFn: getWellness, staleTime: 60_000 });
}

/** Change some of your settings; null goes back to the organisation's default. */
export function updateWellness(input: WellnessInput): Promise<Wellness> {
  return api.patch<Wellness>("/moderation/wellness/me/", input);
}

/** Forget all your own values: everything follows the organisation's defaults. */
export function resetWellness(): Promise<Wellness> {
  return api.post<Wellness>("/moderation/wellness/me/reset/");
}

export function useUpdateWellness() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateWellness,
    onSuccess: (wellness) => queryClient.setQueryData(moderationKeys.wellness, wellness),
  });
}

export function useResetWellness() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resetWellness,
    onSuccess: (wellness) => queryClient.setQueryData(moderationKeys.wellness, wellness),
  });
}
