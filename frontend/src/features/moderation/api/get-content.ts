import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ContentDetail } from "../types";
import { moderationKeys } from "./keys";

export function getContent(contentId: number): Promise<ContentDetail> {
  return api.get<ContentDetail>(`/moderation/contents/${contentId}/`);
}

export function useContent(contentId: number) {
  return useQuery({ queryKey: moderationKeys.content(contentId), queryFn: () => getContent(contentId) });
}
