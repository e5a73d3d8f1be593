import { ExportPanel } from "@/features/exports/components/export-panel";
import { useProject } from "@/features/projects/api/get-project";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectExportRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  if (!canManageData(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not allow exports.
      </p>
    );
  }
  return <ExportPanel projectId={projectId} />;
}
