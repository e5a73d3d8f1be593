import { Link } from "react-router";

import { paths } from "@/config/paths";
import { SuspectLabels } from "@/features/models/components/suspect-labels";
import { useProject } from "@/features/projects/api/get-project";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

/** Review suspect labels: every member reads the list; admins and ML engineers run and send. */
export function ProjectSuspectLabelsRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  return (
    <div className="stack">
      <p>
        <Link to={paths.projectModels.href(projectId)}>← Models</Link>
      </p>
      <h2>Review suspect labels</h2>
      <SuspectLabels projectId={projectId} canSend={canManageData(project.data.role)} />
    </div>
  );
}
