import { api } from "@/lib/api-client";

import type { SubmittedAnnotation } from "../types";

export type SubmitAnnotationInput = {
  projectId: number;
  itemId: number;
  labels: string[];
  /** Chosen once per answer and sent again on every retry: the server stores it only once. */
  clientKey: string;
  timeOnItemMs: number | null;
  /** Lease the next item in the same request: the answer's `next` carries it. */
  next: boolean;
};

/**
 * Answer a leased item. 201 the first time; 200 with the same annotation for a repeated key.
 * With `next`, the answer also brings the next leased item (as queue/next/ would), so labeling
 * costs one request per item.
 */
export function submitAnnotation({
  projectId,
  itemId,
  labels,
  clientKey,
  timeOnItemMs,
  next,
}: SubmitAnnotationInput): Promise<SubmittedAnnotation> {
  return api.post<SubmittedAnnotation>(`/projects/${projectId}/queue/items/${itemId}/submit/`, {
    labels,
    client_key: clientKey,
    client: "web",
    next,
    ...(timeOnItemMs === null ? {} : { time_on_item_ms: timeOnItemMs }),
  });
}
