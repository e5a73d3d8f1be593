import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { Assignment } from "../types";

/** The user's open leases in the project, oldest first: the items to resume after a reload. */
export function getOpenAssignments({ projectId }: { projectId: number }): Promise<Paginated<Assignment>> {
  return api.get<Paginated<Assignment>>(`/projects/${projectId}/queue/assignments/`, { page_size: 50 });
}
