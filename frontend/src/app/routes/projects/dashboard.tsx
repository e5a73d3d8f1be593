import { ProjectDashboard } from "@/features/dashboard/components/project-dashboard";
import { useProject } from "@/features/projects/api/get-project";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectDashboardRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  if (!canManageData(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not include the dashboard.
      </p>
    );
  }
  return <ProjectDashboard project={project.data} />;
}
