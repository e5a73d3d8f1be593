import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Platform } from "../types";
import { platformKeys } from "./keys";

/** Every platform, by name (site staff only; there are few, so one page of 500 holds them). */
export function getPlatforms(): Promise<Paginated<Platform>> {
  return api.get<Paginated<Platform>>("/moderation/platforms/", { page_size: 500 });
}

export function usePlatforms() {
  return useQuery({ queryKey: platformKeys.list, queryFn: getPlatforms });
}

/** Register a platform. 409 when the name is taken. */
export function createPlatform({ name }: { name: string }): Promise<Platform> {
  return api.post<Platform>("/moderation/platforms/", { name });
}

export function useCreatePlatform() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPlatform,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: platformKeys.list });
    },
  });
}
