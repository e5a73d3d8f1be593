import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import { projectQueryKey } from "./get-project";
import { projectsQueryKey } from "./get-projects";

export function deleteProject(projectId: number): Promise<void> {
  return api.delete(`/projects/${projectId}/`);
}

export function useDeleteProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteProject,
    onSuccess: (_data, projectId) => {
      queryClient.removeQueries({ queryKey: projectQueryKey(projectId) });
      void queryClient.invalidateQueries({ queryKey: [...projectsQueryKey, "list"] });
    },
  });
}
