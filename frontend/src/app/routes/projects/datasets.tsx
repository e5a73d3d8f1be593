import { useSearchParams } from "react-router";

import { DatasetsPanel } from "@/features/datasets/components/datasets-panel";
import { useProject } from "@/features/projects/api/get-project";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectDatasetsRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const [search] = useSearchParams();
  const highlight = Number(search.get("snapshot"));

  if (!project.data) return null;
  if (!canManageData(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not allow dataset snapshots.
      </p>
    );
  }
  return (
    <DatasetsPanel
      projectId={projectId}
      dataType={project.data.data_type}
      classNames={project.data.label_classes.map((labelClass) => labelClass.name)}
      highlight={Number.isInteger(highlight) && highlight > 0 ? highlight : null}
    />
  );
}
