import { ProjectDashboard } from "@/features/dashboard/components/project-dashboard";
import { LabelErrorRates } from "@/features/models/components/label-error-rates";
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
  return (
    <div className="stack">
      <ProjectDashboard project={project.data} />
      <section aria-labelledby="label-errors-heading" className="stack">
        <h2 id="label-errors-heading">Label errors</h2>
        <LabelErrorRates projectId={projectId} />
      </section>
    </div>
  );
}
