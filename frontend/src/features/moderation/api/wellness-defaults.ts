import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { WellnessDefaults, WellnessDefaultsInput } from "../types";
import { moderationKeys } from "./keys";

/** The organisation's wellness defaults (site staff only). */
export function getWellnessDefaults(): Promise<WellnessDefaults> {
  return api.get<WellnessDefaults>("/moderation/wellness/defaults/");
}

export function useWellnessDefaults({ enabled }: { enabled: boolean }) {
  return useQuery({ queryKey: moderationKeys.wellnessDefaults, queryFn: getWellnessDefaults, enabled });
}

/** Change the organisation's defaults (audited as `wellness.defaults`). */
export function updateWellnessDefaults(input: WellnessDefaultsInput): Promise<WellnessDefaults> {
  return api.patch<WellnessDefaults>("/moderation/wellness/defaults/", input);
}

export function useUpdateWellnessDefaults() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateWellnessDefaults,
    onSuccess: (defaults) => {
      queryClient.setQueryData(moderationKeys.wellnessDefaults, defaults);
      // Everyone without a value of their own follows the new defaults, the caller included.
      void queryClient.invalidateQueries({ queryKey: moderationKeys.wellness });
    },
  });
}
