import { useMutation } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { GuidelinesPreview } from "../types";

/** The guidelines rendered and cleaned as saving them would; nothing is stored. */
export function previewGuidelines({
  projectId,
  guidelines,
}: {
  projectId: number;
  guidelines: string;
}): Promise<GuidelinesPreview> {
  return api.post<GuidelinesPreview>(`/projects/${projectId}/guidelines/preview/`, { guidelines });
}

export function usePreviewGuidelines() {
  return useMutation({ mutationFn: previewGuidelines });
}
