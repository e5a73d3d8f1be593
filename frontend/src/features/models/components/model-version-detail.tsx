import { useId, useState } from "react";
import { Link } from "react-router";

import { paths } from "@/config/paths";

import { SAMPLING_STRATEGY_LABELS, type ModelVersion } from "../types";
import { fewShotSentence } from "../utils/few-shot-text";
import { trainedOnText } from "../utils/metric-text";
import { promotionText } from "../utils/promotion-text";
import { ConfusionMatrix } from "./confusion-matrix";
import { VersionEvaluation } from "./evaluation/version-evaluation";
import { MetricsTable } from "./metrics-table";

type ModelVersionDetailProps = {
  projectId: number;
  versions: ModelVersion[];
  classes: string[];
};

/** The version shown first: the one serving, else the newest. */
function defaultVersion(versions: ModelVersion[]): number | undefined {
  return (versions.find((version) => version.stage === "production") ?? versions[0])?.version;
}

/**
 * One version in detail: what it was trained on by label source, the training run's promotion
 * decision, its held-out scores with 95 % intervals and its confusion matrix.
 */
export function ModelVersionDetail({ projectId, versions, classes }: ModelVersionDetailProps) {
  const selectId = useId();
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  const version = versions.find((row) => row.version === (chosen ?? defaultVersion(versions)));
  if (!version) return null;
  const { metrics } = version;
  const decision = promotionText(version.promotion);
  // Versions trained before their class order was stored: the project's order, which it was trained in.
  const matrixClasses = metrics.classes ?? (classes.length ? classes : Object.keys(metrics.f1_per_class ?? {}));
  // As in the table: versions from before `n` was stored count as measured.
  const measured = metrics.n === undefined || metrics.n > 0;

  return (
    <section className="stack version-detail" aria-labelledby={`${selectId}-heading`} data-testid="model-version-detail">
      <div className="version-detail-header">
        <h3 id={`${selectId}-heading`}>Version {version.version} in detail</h3>
        <label htmlFor={selectId} className="inline-field">
          Show version{" "}
          <select id={selectId} value={version.version} onChange={(event) => setChosen(Number(event.target.value))}>
            {versions.map((row) => (
              <option key={row.id} value={row.version}>
                {row.version}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p data-testid="trained-on">
        Trained on{" "}
        {trainedOnText({
          labelCount: version.label_count,
          trainN: metrics.train_n,
          sources: metrics.train_source_counts,
        })}
        {version.dataset_snapshot ? (
          <>
            {" "}
            (
            <Link
              to={paths.projectDatasets.href(projectId, version.dataset_snapshot.number)}
              data-testid="trained-on-snapshot-link"
            >
              trained on snapshot {version.dataset_snapshot.number}
            </Link>
            )
          </>
        ) : null}
        .
      </p>
      {metrics.sampling ? (
        <p data-testid="queue-order">
          Queue ordered by {SAMPLING_STRATEGY_LABELS[metrics.sampling.arm].toLowerCase()}
          {metrics.sampling.setting === "adaptive" && metrics.sampling.reason
            ? ` (adaptive: ${metrics.sampling.reason})`
            : ""}
          .
        </p>
      ) : null}
      {fewShotSentence(metrics.few_shot) ? <p data-testid="few-shot-detail">{fewShotSentence(metrics.few_shot)}</p> : null}
      {decision ? (
        <p data-testid="promotion-decision">
          <strong>{decision.verdict}</strong>
          {decision.reason ? `: ${decision.reason}` : ""}.
        </p>
      ) : null}
      {measured ? (
        <div className="version-detail-grid">
          <MetricsTable
            columns={[{ heading: `Version ${version.version}`, scores: metrics }]}
            classes={matrixClasses}
            caption={`Held-out scores of version ${version.version}`}
          />
          {metrics.confusion_matrix ? (
            <ConfusionMatrix
              matrix={metrics.confusion_matrix}
              classes={matrixClasses}
              caption={`Confusion matrix of version ${version.version} (${metrics.n ?? 0} held-out items)`}
            />
          ) : null}
        </div>
      ) : (
        <p className="hint">
          No held-out scores: label items of the dev and test splits (the queue mixes them in) to measure the next
          version.
        </p>
      )}
      {measured && !metrics.confusion_matrix ? (
        <p className="hint">No confusion matrix was recorded for this version (multilabel versions have none, nor do some older ones).</p>
      ) : null}
      {measured && !metrics.intervals ? (
        <p className="hint">Intervals were not recorded for this version; compare it with another to measure them.</p>
      ) : null}
      <VersionEvaluation key={version.id} projectId={projectId} versionId={version.id} versionNumber={version.version} />
    </section>
  );
}
