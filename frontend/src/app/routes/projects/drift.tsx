import { DriftPage } from "@/features/drift/components/drift-page";
import { useProject } from "@/features/projects/api/get-project";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectDriftRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  return <DriftPage projectId={projectId} canManage={canManageData(project.data.role)} />;
}
