import { api } from "@/lib/api-client";

import type { QueueAnnotation } from "../types";

/** Change the labels of one of the user's own recent annotations (undo, then choose again). */
export function updateAnnotation({
  projectId,
  annotationId,
  labels,
}: {
  projectId: number;
  annotationId: number;
  labels: string[];
}): Promise<QueueAnnotation> {
  return api.patch<QueueAnnotation>(`/projects/${projectId}/annotations/${annotationId}/`, { labels });
}
