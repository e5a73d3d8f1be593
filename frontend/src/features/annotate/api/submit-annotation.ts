import { api } from "@/lib/api-client";

import type { QueueAnnotation } from "../types";

export type SubmitAnnotationInput = {
  projectId: number;
  itemId: number;
  labels: string[];
  /** Chosen once per answer and sent again on every retry: the server stores it only once. */
  clientKey: string;
  timeOnItemMs: number | null;
};

/** Answer a leased item. 201 the first time; 200 with the same annotation for a repeated key. */
export function submitAnnotation({
  projectId,
  itemId,
  labels,
  clientKey,
  timeOnItemMs,
}: SubmitAnnotationInput): Promise<QueueAnnotation> {
  return api.post<QueueAnnotation>(`/projects/${projectId}/queue/items/${itemId}/submit/`, {
    labels,
    client_key: clientKey,
    client: "web",
    ...(timeOnItemMs === null ? {} : { time_on_item_ms: timeOnItemMs }),
  });
}
