import { useNavigate } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { paths } from "@/config/paths";
import { useDeleteProject } from "@/features/projects/api/delete-project";
import { useProject } from "@/features/projects/api/get-project";
import { ProjectSummary } from "@/features/projects/components/project-summary";
import { canManageProject } from "@/features/projects/utils/permissions";
import { ItemCounts } from "@/features/items/components/item-counts";

import { useProjectId } from "./use-project-id";
import { isolate } from "@/lib/bidi";

export function ProjectOverviewRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const remove = useDeleteProject();
  const navigate = useNavigate();
  if (!project.data) return null;

  function confirmDelete() {
    if (window.confirm(`Delete the project ${isolate(project.data?.name ?? "")} with all its items and labels?`)) {
      remove.mutate(projectId, { onSuccess: () => navigate(paths.projects.href(), { replace: true }) });
    }
  }

  return (
    <div className="stack">
      <ProjectSummary project={project.data} />
      <section aria-labelledby="item-counts-heading">
        <h2 id="item-counts-heading">Labels so far</h2>
        <ItemCounts projectId={projectId} />
      </section>
      {canManageProject(project.data.role) ? (
        <section aria-labelledby="danger-heading" className="danger-zone">
          <h2 id="danger-heading">Delete</h2>
          <ErrorMessage error={remove.error} title="Could not delete the project" />
          <button type="button" className="btn btn-danger" onClick={confirmDelete} disabled={remove.isPending}>
            Delete this project
          </button>
        </section>
      ) : null}
    </div>
  );
}
