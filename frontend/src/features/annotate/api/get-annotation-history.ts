import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { QueueAnnotation } from "../types";

/** The user's own latest labels in the project, newest first (what undo can go back to). */
export function getAnnotationHistory({
  projectId,
  pageSize = 20,
}: {
  projectId: number;
  pageSize?: number;
}): Promise<Paginated<QueueAnnotation>> {
  return api.get<Paginated<QueueAnnotation>>(`/projects/${projectId}/queue/history/`, { page_size: pageSize });
}
