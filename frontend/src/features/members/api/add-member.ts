import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Member, MemberCreateInput } from "../types";
import { membersQueryKey } from "./get-members";

export function addMember({ projectId, ...input }: MemberCreateInput & { projectId: number }): Promise<Member> {
  return api.post<Member>(`/projects/${projectId}/members/`, input);
}

export function useAddMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addMember,
    onSuccess: (_member, { projectId }) =>
      queryClient.invalidateQueries({ queryKey: membersQueryKey(projectId) }),
  });
}
