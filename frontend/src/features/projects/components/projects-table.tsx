import { Link } from "react-router";

import { paths } from "@/config/paths";
import { formatCount } from "@/lib/format";

import { DATA_TYPE_LABELS, type ProjectListItem, ROLE_LABELS, TASK_TYPE_LABELS } from "../types";
import { canManageData } from "../utils/permissions";
import { ProjectStatusLine } from "./project-status-line";

export function ProjectsTable({ projects, canCreate }: { projects: ProjectListItem[]; canCreate: boolean }) {
  if (projects.length === 0) {
    return (
      <p data-testid="projects-empty">
        {canCreate
          ? "No projects yet. Start one with “New project”, then import items to label."
          : "You are not in any project yet. Ask a site admin to add you to one."}
      </p>
    );
  }
  return (
    <table className="table" data-testid="projects-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Data type</th>
          <th scope="col">Task type</th>
          <th scope="col" className="numeric">
            Items
          </th>
          <th scope="col">Your role</th>
        </tr>
      </thead>
      <tbody>
        {projects.map((project) => (
          <tr key={project.id}>
            <th scope="row">
              <Link to={paths.project.href(project.id)}>{project.name}</Link>
            </th>
            <td className="projects-status-cell">
              <ProjectStatusLine
                projectId={project.id}
                status={project.status}
                linkFailures={canManageData(project.role)}
                compact
              />
            </td>
            <td>{project.data_type ? DATA_TYPE_LABELS[project.data_type] : "—"}</td>
            <td>{project.task_type ? TASK_TYPE_LABELS[project.task_type] : "—"}</td>
            <td className="numeric">{formatCount(project.item_count)}</td>
            <td>{project.role ? (ROLE_LABELS[project.role] ?? project.role) : "Site admin"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
