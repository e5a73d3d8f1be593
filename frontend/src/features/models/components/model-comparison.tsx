import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { formatCount, formatPercent } from "@/lib/format";

import { useModelComparison } from "../api/get-model-comparison";
import { type ComparisonSide, STAGE_LABELS } from "../types";
import { trainedOnText } from "../utils/metric-text";
import { promotionText } from "../utils/promotion-text";
import { ConfusionMatrix } from "./confusion-matrix";
import { SliceDeltas } from "./evaluation/slice-deltas";
import { MetricsTable, type ScoreSet } from "./metrics-table";

type ModelComparisonProps = { projectId: number; a: number; b: number };

/** The classes both sides are scored in, the first side's order first. */
function classesOf(sides: ScoreSet[], orders: (string[] | null | undefined)[]): string[] {
  const seen: string[] = [];
  for (const order of orders) for (const name of order ?? []) if (!seen.includes(name)) seen.push(name);
  for (const side of sides) {
    for (const name of Object.keys(side.f1_per_class ?? {})) if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

function SideSummary({ side }: { side: ComparisonSide }) {
  const decision = promotionText(side.promotion);
  return (
    <div className="compare-side" data-testid={`compare-side-${side.version}`}>
      <h3>
        Version {side.version} <span className={`stage stage-${side.stage}`}>{STAGE_LABELS[side.stage]}</span>
      </h3>
      <p>
        Trained on{" "}
        {trainedOnText({
          labelCount: side.label_count,
          trainN: side.train_n ?? undefined,
          sources: side.train_source_counts,
        })}
        .
      </p>
      <p>
        {decision ? (
          <>
            <strong>{decision.verdict}</strong>
            {decision.reason ? `: ${decision.reason}` : ""}.
          </>
        ) : (
          <span className="hint">No promotion decision was recorded at training.</span>
        )}
        {side.promotion.production_version !== undefined && side.promotion.production_roc_auc !== undefined ? (
          <span className="hint">
            {" "}
            At training, on its held-out items: ROC AUC {side.promotion.roc_auc?.toFixed(3) ?? "—"}, version{" "}
            {side.promotion.production_version}'s {side.promotion.production_roc_auc?.toFixed(3) ?? "—"}.
          </span>
        ) : null}
      </p>
      {side.decision_agreement ? (
        <p>
          Agrees with people's moderation decisions on {formatPercent(side.decision_agreement.agreement)} of{" "}
          {formatCount(side.decision_agreement.n)} decided items.
        </p>
      ) : null}
    </div>
  );
}

/**
 * Two versions side by side, scored on the same held-out items: the number of items, every headline
 * score with its 95 % interval and the change, and both confusion matrices. When they cannot be scored
 * on the same items (different embedders), it says why and shows each version's own scores, marked
 * as not comparable.
 */
export function ModelComparison({ projectId, a, b }: ModelComparisonProps) {
  const comparison = useModelComparison({ projectId, a, b });
  if (comparison.isPending) return <Loading label={`Scoring versions ${a} and ${b} on the same items…`} />;
  if (!comparison.data) return <ErrorMessage error={comparison.error} title="Could not compare the versions" />;

  const { a: first, b: second, same_items: same } = comparison.data;
  const shared = same.comparable && first.same_items_metrics && second.same_items_metrics;
  const scores: [ScoreSet, ScoreSet] = shared
    ? [first.same_items_metrics as ScoreSet, second.same_items_metrics as ScoreSet]
    : [first.metrics, second.metrics];
  const orders = shared
    ? [first.same_items_metrics?.classes, second.same_items_metrics?.classes]
    : [first.metrics.classes, second.metrics.classes];
  const classes = classesOf(scores, orders);
  const matrices = [first, second].map((side, index) => ({
    side,
    matrix: (shared ? side.same_items_metrics?.confusion_matrix : side.metrics.confusion_matrix) ?? null,
    classes: orders[index] ?? classes,
  }));

  return (
    <div className="stack" data-testid="model-comparison">
      {shared ? (
        <p className="compare-items" data-testid="shared-items">
          Both versions scored on the same <strong>{formatCount(same.n)} held-out items</strong>: {same.reason}.
        </p>
      ) : (
        <p role="alert" className="alert alert-error" data-testid="shared-items">
          Not scored on the same items: {same.reason}. Below, each version's scores on its own held-out set, which
          cannot be compared directly.
        </p>
      )}
      <div className="compare-sides">
        <SideSummary side={first} />
        <SideSummary side={second} />
      </div>
      <MetricsTable
        columns={[
          { heading: `Version ${first.version}`, scores: scores[0] },
          { heading: `Version ${second.version}`, scores: scores[1] },
        ]}
        classes={classes}
        delta={Boolean(shared)}
        caption={
          shared
            ? `Scores on the same ${formatCount(same.n)} held-out items; change is version ${second.version} minus version ${first.version}`
            : "Each version's scores on its own held-out set"
        }
        testId="compare-metrics"
      />
      <div className="compare-sides">
        {matrices.map(({ side, matrix, classes: order }) =>
          matrix ? (
            <ConfusionMatrix
              key={side.version}
              matrix={matrix}
              classes={order}
              caption={`Version ${side.version}`}
              testId={`confusion-matrix-${side.version}`}
            />
          ) : (
            <p key={side.version} className="hint">
              Version {side.version}: no confusion matrix was recorded (multilabel versions have none, nor do some older ones).
            </p>
          ),
        )}
      </div>
      {shared && same.slices ? (
        <section className="stack" aria-label="Per slice">
          <h3>Per slice</h3>
          <SliceDeltas
            slices={same.slices}
            older={Math.min(first.version, second.version)}
            newer={Math.max(first.version, second.version)}
          />
        </section>
      ) : null}
      <p>
        <Link to={paths.projectModels.href(projectId)}>Back to the model versions</Link>
      </p>
    </div>
  );
}
