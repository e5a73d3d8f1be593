import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { Project, ProjectCreateInput } from "../types";
import { projectQueryKey } from "./get-project";
import { projectsQueryKey } from "./get-projects";

export function createProject(input: ProjectCreateInput): Promise<Project> {
  return api.post<Project>("/projects/", input);
}

export function useCreateProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createProject,
    onSuccess: (project) => {
      queryClient.setQueryData(projectQueryKey(project.id), project);
      void queryClient.invalidateQueries({ queryKey: [...projectsQueryKey, "list"] });
    },
  });
}
