import { Link, useSearchParams } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { useMe } from "@/features/auth/api/get-me";
import { useProjects } from "@/features/projects/api/get-projects";
import { ProjectsTable } from "@/features/projects/components/projects-table";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

export function ProjectsRoute() {
  useDocumentTitle("Projects");
  const me = useMe();
  const [searchParams, setSearchParams] = useSearchParams();
  const page = Math.max(1, Number.parseInt(searchParams.get("page") ?? "1", 10) || 1);
  const projects = useProjects({ page });

  return (
    <div className="stack">
      <div className="page-heading">
        <h1>Projects</h1>
        {me.data?.is_staff ? (
          <Link className="btn btn-primary" to={paths.projectCreate.href()} data-testid="new-project">
            New project
          </Link>
        ) : null}
      </div>
      <ErrorMessage error={projects.error} title="Could not load the projects" />
      {projects.isPending ? <Loading label="Loading projects…" /> : null}
      {projects.data ? (
        <>
          <ProjectsTable projects={projects.data.results} canCreate={me.data?.is_staff ?? false} />
          {projects.data.count > DEFAULT_PAGE_SIZE ? (
            <Pagination
              page={page}
              pageSize={DEFAULT_PAGE_SIZE}
              count={projects.data.count}
              onPageChange={(next) => setSearchParams(next > 1 ? { page: String(next) } : {})}
              label="Project pages"
            />
          ) : null}
        </>
      ) : null}
    </div>
  );
}
