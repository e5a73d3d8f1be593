import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { useImport } from "../api/get-import";
import { importsQueryKey } from "../api/get-imports";
import { useRetryImport } from "../api/retry-import";
import { type ImportJob, isFinished } from "../types";
import { ImportProgress } from "./import-progress";
import { ImportReport } from "./import-report";

type ImportJobViewProps = {
  projectId: number;
  importId: number;
  /** Called once when the job has finished, e.g. to refresh item counts. */
  onFinished?: (job: ImportJob) => void;
  onRetried?: (job: ImportJob) => void;
};

export function ImportJobView({ projectId, importId, onFinished, onRetried }: ImportJobViewProps) {
  const job = useImport({ projectId, importId });
  const retry = useRetryImport();
  const queryClient = useQueryClient();
  const reported = useRef<string | null>(null);

  const data = job.data;
  useEffect(() => {
    if (!data || !isFinished(data.status)) return;
    const key = `${data.id}:${data.status}:${data.finished_at ?? ""}`;
    if (reported.current === key) return;
    reported.current = key;
    // The earlier imports list this job too: without a refetch it would still say "Running".
    void queryClient.invalidateQueries({ queryKey: [...importsQueryKey(projectId), "list"] });
    onFinished?.(data);
  }, [data, onFinished, queryClient, projectId]);

  if (job.isPending) return <Loading label="Loading the import…" />;
  if (job.isError && !data) return <ErrorMessage error={job.error} title="Could not load the import" />;
  if (!data) return null;

  return (
    <section className="stack card" aria-label="Import progress and report" data-testid="import-job">
      <ImportProgress job={data} />
      {/* A failed poll keeps the last known state on screen and says why it is not moving. */}
      <ErrorMessage error={job.isError ? job.error : null} title="Could not refresh the import" />
      {isFinished(data.status) ? <ImportReport job={data} /> : null}
      {data.status === "failed" ? (
        <div>
          <ErrorMessage error={retry.error} title="Could not retry" />
          <button
            type="button"
            className="btn btn-secondary"
            disabled={retry.isPending}
            onClick={() => retry.mutate({ projectId, importId: data.id }, { onSuccess: onRetried })}
            data-testid="import-retry"
          >
            Retry this import
          </button>
        </div>
      ) : null}
    </section>
  );
}
