import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Project, ProjectUpdateInput } from "../types";
import { projectQueryKey } from "./get-project";
import { projectStatusQueryKey } from "./get-project-status";
import { projectsQueryKey } from "./get-projects";

export function updateProject({ projectId, input }: { projectId: number; input: ProjectUpdateInput }): Promise<Project> {
  return api.patch<Project>(`/projects/${projectId}/`, input);
}

export function useUpdateProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateProject,
    onSuccess: (project) => {
      queryClient.setQueryData(projectQueryKey(project.id), project);
      void queryClient.invalidateQueries({ queryKey: [...projectsQueryKey, "list"] });
      // New classes or a new label minimum change what the status line says is needed next.
      void queryClient.invalidateQueries({ queryKey: projectStatusQueryKey(project.id) });
    },
  });
}
