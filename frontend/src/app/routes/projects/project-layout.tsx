import { Link, NavLink, Outlet, useLocation } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { useProject } from "@/features/projects/api/get-project";
import { useProjectStatus, useRefreshStaleProjectStatus } from "@/features/projects/api/get-project-status";
import { ProjectStatusLine } from "@/features/projects/components/project-status-line";
import { canAnnotate } from "@/features/annotate/utils/permissions";
import { canManageData, canManageProject } from "@/features/projects/utils/permissions";
import { useDocumentTitle } from "@/hooks/use-document-title";

import { useProjectId } from "./use-project-id";

export function ProjectLayout() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const status = useProjectStatus(projectId);
  useRefreshStaleProjectStatus(projectId, useLocation().pathname);
  useDocumentTitle(project.data?.name ?? "Project");

  if (Number.isNaN(projectId)) return <ErrorMessage error={new Error("There is no such project.")} />;
  if (project.isPending) return <Loading label="Loading the project…" />;
  if (project.isError) {
    return (
      <div className="stack">
        <ErrorMessage error={project.error} title="Could not load the project" />
        <p>
          <Link to={paths.projects.href()}>Back to the projects</Link>
        </p>
      </div>
    );
  }

  const dataRole = canManageData(project.data.role);
  return (
    <div className="stack">
      <p className="breadcrumb">
        <Link to={paths.projects.href()}>Projects</Link> /
      </p>
      <h1 data-testid="project-title">{project.data.name}</h1>
      {status.data ? (
        <ProjectStatusLine projectId={projectId} status={status.data} linkFailures={dataRole} />
      ) : null}
      <nav aria-label="Project" className="tabs">
        <NavLink to={paths.project.href(projectId)} end data-testid="tab-overview">
          Overview
        </NavLink>
        {canAnnotate(project.data.role) ? (
          <NavLink to={paths.projectAnnotate.href(projectId)} data-testid="tab-annotate">
            Annotate
          </NavLink>
        ) : null}
        <NavLink to={paths.projectItems.href(projectId)} data-testid="tab-items">
          Items
        </NavLink>
        {dataRole ? (
          <NavLink to={paths.projectImport.href(projectId)} data-testid="tab-import">
            Import
          </NavLink>
        ) : null}
        {dataRole ? (
          <NavLink to={paths.projectExport.href(projectId)} data-testid="tab-export">
            Export
          </NavLink>
        ) : null}
        {dataRole ? (
          <NavLink to={paths.projectDashboard.href(projectId)} data-testid="tab-dashboard">
            Dashboard
          </NavLink>
        ) : null}
        {dataRole ? (
          <NavLink to={paths.projectModels.href(projectId)} data-testid="tab-models">
            Models
          </NavLink>
        ) : null}
        <NavLink to={paths.projectDrift.href(projectId)} data-testid="tab-drift">
          Drift
        </NavLink>
        {dataRole ? (
          <NavLink to={paths.projectDatasets.href(projectId)} data-testid="tab-datasets">
            Datasets
          </NavLink>
        ) : null}
        <NavLink to={paths.projectMembers.href(projectId)} data-testid="tab-members">
          Members
        </NavLink>
        {canManageProject(project.data.role) ? (
          <NavLink to={paths.projectSettings.href(projectId)} data-testid="tab-settings">
            Settings
          </NavLink>
        ) : null}
      </nav>
      <Outlet />
    </div>
  );
}
