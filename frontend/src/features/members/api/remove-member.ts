import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { membersQueryKey } from "./get-members";

export function removeMember({ projectId, memberId }: { projectId: number; memberId: number }): Promise<void> {
  return api.delete(`/projects/${projectId}/members/${memberId}/`);
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeMember,
    onSuccess: (_data, { projectId }) =>
      queryClient.invalidateQueries({ queryKey: membersQueryKey(projectId) }),
  });
}
