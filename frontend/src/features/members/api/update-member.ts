import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Member, Role } from "../types";
import { membersQueryKey } from "./get-members";

type UpdateMemberInput = { projectId: number; memberId: number; role: Role };

export function updateMember({ projectId, memberId, role }: UpdateMemberInput): Promise<Member> {
  return api.patch<Member>(`/projects/${projectId}/members/${memberId}/`, { role });
}

export function useUpdateMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMember,
    // Refetch on failure too, so a refused change snaps the select back to the stored role.
    onSettled: (_member, _error, { projectId }) =>
      queryClient.invalidateQueries({ queryKey: membersQueryKey(projectId) }),
  });
}
