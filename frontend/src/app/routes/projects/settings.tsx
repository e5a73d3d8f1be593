import { Link } from "react-router";

import { paths } from "@/config/paths";
import { useProject } from "@/features/projects/api/get-project";
import { ProjectSettings } from "@/features/projects/components/project-settings";
import { canManageProject } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectSettingsRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  if (!canManageProject(project.data.role)) {
    return (
      <div role="alert" className="alert alert-error" data-testid="settings-no-access">
        Only the project's admins can change its settings. Ask one of them (see{" "}
        <Link to={paths.projectMembers.href(projectId)}>Members</Link>) to make the change.
      </div>
    );
  }
  return (
    <ProjectSettings
      // A fresh form per project: the fields start from that project's saved values.
      key={projectId}
      project={project.data}
      learningSettingsLink={
        <>
          Active learning, retraining and auto-labeling settings are on the{" "}
          <Link to={paths.projectModels.href(projectId)}>Models</Link> tab.
        </>
      }
    />
  );
}
