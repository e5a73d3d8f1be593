import { ErrorMessage } from "@/components/ui/error-message";

import { useCreateTrainingJob } from "../api/create-training-job";

/** Queue a training job now; the server's refusal (no labels yet, a job already running) is shown. */
export function TrainNowButton({ projectId }: { projectId: number }) {
  const create = useCreateTrainingJob();
  return (
    <div className="stack">
      <div>
        <button
          type="button"
          className="btn btn-primary"
          disabled={create.isPending}
          onClick={() => create.mutate({ projectId })}
          data-testid="train-now"
        >
          {create.isPending ? "Queuing…" : "Train now"}
        </button>
      </div>
      <ErrorMessage error={create.error} title="Could not start training" />
      {create.data?.status === "running" && create.data.rerun_requested ? (
        <p role="status" className="hint" data-testid="train-now-rerun">
          A training job is already running; it will run once more when it ends.
        </p>
      ) : null}
    </div>
  );
}
