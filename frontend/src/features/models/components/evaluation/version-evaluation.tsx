import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime } from "@/lib/format";

import { useEvaluateVersion } from "../../api/evaluate-version";
import { useVersionEvaluation } from "../../api/get-version-evaluation";
import { isJobActive } from "../../types";
import { TrainingJobProgress } from "../training-job-progress";
import { OperatingPoints } from "./operating-points";
import { PerClassTable } from "./per-class-table";
import { PrCurves } from "./pr-curves";
import { ReliabilityDiagram } from "./reliability-diagram";
import { SlicesTable } from "./slices-table";

type VersionEvaluationProps = { projectId: number; versionId: number; versionNumber: number };

/**
 * A version's full evaluation on its held-out items (computed by the training run or an evaluation
 * job, never in the request): per-class scores (the confusion matrix, a heat map, is above it in the
 * version's detail), reliability diagram, PR curves,
 * the policies' operating points and slices, each number with its 95 % interval; and a button to
 * evaluate the version again (after the slice fields changed).
 */
export function VersionEvaluation({ projectId, versionId, versionNumber }: VersionEvaluationProps) {
  const evaluation = useVersionEvaluation({ projectId, versionId });
  const evaluate = useEvaluateVersion();
  if (evaluation.isPending) return <Loading label="Loading the evaluation…" />;
  if (!evaluation.data) return <ErrorMessage error={evaluation.error} title="Could not load the evaluation" />;
  const { evaluation: report, error, job } = evaluation.data;
  const running = job ? isJobActive(job.status) : false;

  return (
    <section className="stack" aria-label={`Evaluation of version ${versionNumber}`} data-testid="version-evaluation">
      <div className="version-detail-header">
        <h4>Evaluation</h4>
        <button
          type="button"
          className="button"
          disabled={running || evaluate.isPending}
          onClick={() => evaluate.mutate({ projectId, versionId })}
          data-testid="evaluate-again"
        >
          {running ? "Evaluating…" : "Evaluate again"}
        </button>
      </div>
      {evaluate.error ? <ErrorMessage error={evaluate.error} title="Could not start the evaluation" /> : null}
      {job && (running || job.status === "failed") ? <TrainingJobProgress job={job} /> : null}
      {error ? (
        <p role="alert" className="alert alert-error">
          <bdi>{error}</bdi>
        </p>
      ) : null}
      {!report ? (
        !error ? (
          <p className="hint" data-testid="evaluation-missing">
            This version has no full evaluation yet (it was trained before evaluations were kept): evaluate it again.
          </p>
        ) : null
      ) : report.n === 0 ? (
        <p className="hint" data-testid="evaluation-empty">
          No held-out labels: label items of the dev and test splits (the queue mixes them in) to evaluate the next
          version.
        </p>
      ) : (
        <>
          <p className="hint">
            On {formatCount(report.n)} held-out items with people's labels, evaluated {formatDateTime(report.evaluated_at)}.
          </p>
          <div className="evaluation-grid">
            <ReliabilityDiagram calibration={report.calibration} />
            <PrCurves curves={report.pr_curves} />
          </div>
          <PerClassTable report={report} />
          {report.operating_points.length ? (
            <>
              <h4>Operating points of the moderation policies</h4>
              <OperatingPoints policies={report.operating_points} />
            </>
          ) : null}
          <h4>Slices</h4>
          <SlicesTable slices={report.slices} />
        </>
      )}
    </section>
  );
}
