import { api } from "@/lib/api-client";
import type { components } from "@/types/api";

import type { AssignmentItem } from "../types";

type ItemOutput = components["schemas"]["ItemOutput"];

/**
 * An item's content in the shape the workspace shows, for reopening a label given before the
 * page was loaded (undo after a reload). Only the content is kept: others' labels stay unseen.
 */
export async function getItemContent({ projectId, itemId }: { projectId: number; itemId: number }): Promise<AssignmentItem> {
  const item = await api.get<ItemOutput>(`/projects/${projectId}/items/${itemId}/`);
  return {
    id: item.id,
    external_id: item.external_id,
    text: item.text ?? null,
    image_url: item.image ?? null,
    thumbnail_url: item.thumbnail ?? null,
    media_restricted: item.media_restricted ?? false,
    metadata: (item.metadata ?? {}) as Record<string, unknown>,
  };
}
