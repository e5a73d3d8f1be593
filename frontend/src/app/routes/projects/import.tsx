import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useSearchParams } from "react-router";

import { paths } from "@/config/paths";
import { ImportForm } from "@/features/imports/components/import-form";
import { ImportHistory } from "@/features/imports/components/import-history";
import { ImportJobView } from "@/features/imports/components/import-job-view";
import type { ImportJob } from "@/features/imports/types";
import { itemsQueryKey } from "@/features/items/api/get-items";
import { projectQueryKey, useProject } from "@/features/projects/api/get-project";
import { projectStatusQueryKey } from "@/features/projects/api/get-project-status";
import { projectsQueryKey } from "@/features/projects/api/get-projects";
import { canManageData } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectImportRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const queryClient = useQueryClient();
  const [searchParams, setSearchParams] = useSearchParams();
  const jobParam = searchParams.get("job");
  const jobId = jobParam && /^\d+$/.test(jobParam) ? Number(jobParam) : null;

  // A new or retried import starts the status line polling (it shows the import's progress).
  const showJob = useCallback(
    (job: ImportJob) => {
      setSearchParams({ job: String(job.id) });
      void queryClient.invalidateQueries({ queryKey: projectStatusQueryKey(projectId) });
    },
    [setSearchParams, queryClient, projectId],
  );

  // A finished import changes the item count and the items (and queues the embedding the
  // status line shows); refresh what shows them.
  const refreshProject = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: projectStatusQueryKey(projectId) });
    void queryClient.invalidateQueries({ queryKey: projectQueryKey(projectId) });
    void queryClient.invalidateQueries({ queryKey: [...projectsQueryKey, "list"] });
    void queryClient.invalidateQueries({ queryKey: itemsQueryKey(projectId) });
  }, [queryClient, projectId]);

  if (!project.data) return null;
  if (!canManageData(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not allow imports.
      </p>
    );
  }

  return (
    <div className="stack">
      <ImportForm projectId={projectId} dataType={project.data.data_type ?? "text"} onCreated={showJob} />
      {jobId !== null ? (
        <ImportJobView
          key={jobId}
          projectId={projectId}
          importId={jobId}
          onFinished={refreshProject}
          onRetried={showJob}
        />
      ) : null}
      <ImportHistory projectId={projectId} jobHref={(importId) => paths.projectImport.href(projectId, importId)} />
    </div>
  );
}
