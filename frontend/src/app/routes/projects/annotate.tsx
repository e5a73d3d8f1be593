import { useMe } from "@/features/auth/api/get-me";
import { AnnotateWorkspace } from "@/features/annotate/components/annotate-workspace";
import { canAnnotate } from "@/features/annotate/utils/permissions";
import { useProject } from "@/features/projects/api/get-project";

import { useProjectId } from "./use-project-id";

export function ProjectAnnotateRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const me = useMe();
  if (!project.data || !me.data) return null;
  if (!canAnnotate(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not include labeling.
      </p>
    );
  }
  // Keyed by project and user: a session belongs to one project and one person.
  return (
    <AnnotateWorkspace
      key={`${projectId}:${me.data.id}`}
      project={project.data}
      userKey={String(me.data.id)}
    />
  );
}
