import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { formatCount, formatDateTime, formatDecimal } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useModelVersions } from "../api/get-model-versions";
import { useSetModelStage } from "../api/set-model-stage";
import { type ModelStage, type ModelVersion, STAGE_LABELS } from "../types";
import { fewShotNote } from "../utils/few-shot-text";
import { sourcesShort } from "../utils/metric-text";
import { promotionText } from "../utils/promotion-text";
import { ModelVersionDetail } from "./model-version-detail";

type ModelVersionsTableProps = {
  projectId: number;
  /** The project's label classes, so per-class F1 columns keep the project's order. */
  classNames?: string[];
};

/** The stages a person can move a version to, with the button's words. */
const STAGE_ACTIONS: { stage: ModelStage; label: string }[] = [
  { stage: "shadow", label: "Shadow" },
  { stage: "canary", label: "Canary" },
  { stage: "production", label: "Production" },
  { stage: "archived", label: "Archive" },
];

/** Every class that has an F1 in some version, the project's own classes first. */
/** The embedder a version read, by name ("minilm"); the fast first pass's is marked as such. */
function embedderShort(key: string): string {
  const name = key.split("@")[0] ?? key;
  if (name === "static") return "static vectors (fast pass)";
  if (name.startsWith("setfit-")) return "its fine-tuned MiniLM (few-shot)";
  return name;
}

function embedderTitle(key: string): string {
  if (key.startsWith("static@")) {
    return `${key}: trained on the fast first pass's vectors while the exact embeddings were computed; a version on the exact ones follows when they are complete.`;
  }
  if (key.startsWith("setfit-")) {
    return `${key}: the packaged MiniLM fine-tuned on this run's labels (SetFit method); every item was embedded again with it.`;
  }
  return key;
}

/** What the few-shot model of the version's training run did (nothing when it was off). */
function FewShotNote({ record }: { record: ModelVersion["metrics"]["few_shot"] }) {
  const note = fewShotNote(record);
  if (!note) return null;
  return (
    <div className="hint" title={note.title} data-testid="few-shot-note">
      {note.text}
    </div>
  );
}

function perClassColumns(versions: ModelVersion[], classNames: string[]): string[] {
  const seen = new Set<string>();
  for (const version of versions) {
    for (const name of Object.keys(version.metrics.f1_per_class ?? {})) seen.add(name);
  }
  const known = classNames.filter((name) => seen.has(name));
  const others = [...seen].filter((name) => !classNames.includes(name)).sort();
  return [...known, ...others];
}

/**
 * The held-out scores of a version. A version measured on no held-out items has no scores, whatever
 * the metrics hold (an empty evaluation yields vacuous ones such as an F1 of 1).
 */
function metricCells(version: ModelVersion, classes: string[]) {
  const { metrics } = version;
  const measured = metrics.n === undefined || metrics.n > 0;
  const score = (value: number | null | undefined) => (measured ? formatDecimal(value) : "—");
  return (
    <>
      <td className="numeric">{score(metrics.roc_auc)}</td>
      <td className="numeric">{score(metrics.f1_macro)}</td>
      <td className="numeric">{score(metrics.accuracy)}</td>
      <td className="numeric">{score(metrics.ece)}</td>
      {classes.map((name) => (
        <td key={name} className="numeric">
          {score(metrics.f1_per_class?.[name])}
        </td>
      ))}
    </>
  );
}

/** The training run's decision: a verdict and, under it, its reason. */
function decisionCell(version: ModelVersion) {
  const decision = promotionText(version.promotion);
  if (!decision) return <span className="hint">not recorded</span>;
  return (
    <>
      <strong>{decision.verdict}</strong>
      {decision.reason ? <div className="hint">{decision.reason}</div> : null}
    </>
  );
}

export function ModelVersionsTable({ projectId, classNames = [] }: ModelVersionsTableProps) {
  const [page, setPage] = useState(1);
  const versions = useModelVersions({ projectId, page });
  const setStage = useSetModelStage();
  // Version numbers ticked for comparison, oldest first; ticking a third drops the earliest tick.
  const [picked, setPicked] = useState<number[]>([]);

  if (versions.isPending) return <Loading label="Loading model versions…" />;
  if (!versions.data) return <ErrorMessage error={versions.error} title="Could not load the model versions" />;

  const rows = versions.data.results;
  if (rows.length === 0) {
    return (
      <p className="hint" data-testid="model-versions">
        No model versions yet. Train one with “Train now”.
      </p>
    );
  }

  const classes = perClassColumns(rows, classNames);
  const production = rows.find((version) => version.stage === "production");
  const pendingVersionId = setStage.isPending ? setStage.variables.versionId : null;

  function move(version: ModelVersion, stage: ModelStage) {
    if (stage === "production") {
      const replaces =
        production && production.id !== version.id
          ? ` Version ${production.version}, serving now, will be archived.`
          : "";
      if (
        !window.confirm(
          `Put version ${version.version} into production? Its predictions order the queue and, when enabled, label items automatically.${replaces}`,
        )
      ) {
        return;
      }
    }
    setStage.mutate({ projectId, versionId: version.id, stage });
  }

  function togglePicked(number: number) {
    setPicked((current) =>
      current.includes(number) ? current.filter((n) => n !== number) : [...current, number].slice(-2),
    );
  }
  const [older, newer] = [...picked].sort((x, y) => x - y);

  return (
    <div className="stack">
      <p className="hint">
        Scores are measured on human-labeled items of the dev and test splits, which no version trains on. Each
        version is measured on the held-out items labeled when it was trained: compare two to score both on the same
        items.
      </p>
      <div className="compare-bar" data-testid="compare-bar">
        {older !== undefined && newer !== undefined ? (
          <Link
            className="btn btn-primary btn-small"
            to={paths.projectModelCompare.href(projectId, older, newer)}
            data-testid="compare-link"
          >
            Compare versions {older} and {newer}
          </Link>
        ) : (
          <span className="hint">Tick two versions under “Compare” to see them side by side on the same items.</span>
        )}
      </div>
      {setStage.isError ? (
        <ErrorMessage
          error={setStage.error}
          title={`Could not move version ${rows.find((row) => row.id === setStage.variables.versionId)?.version ?? ""} to ${STAGE_LABELS[setStage.variables.stage].toLowerCase()}`}
        />
      ) : null}
      <div className="table-scroll">
        <table className="table table-compact" data-testid="model-versions">
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Version</th>
              <th scope="col">Stage</th>
              <th scope="col">Move to</th>
              <th scope="col">Decision at training</th>
              <th scope="col" className="numeric">
                Trained on
              </th>
              <th scope="col" className="numeric">
                ROC AUC
              </th>
              <th scope="col" className="numeric">
                F1 macro
              </th>
              <th scope="col" className="numeric">
                Accuracy
              </th>
              <th scope="col" className="numeric">
                <abbr title="Expected calibration error (lower is better)">ECE</abbr>
              </th>
              {classes.map((name) => (
                <th key={name} scope="col" className="numeric">
                  F1 <bdi>{name}</bdi>
                </th>
              ))}
              <th scope="col" className="numeric">
                Held-out items
              </th>
              <th scope="col">Model</th>
              <th scope="col">Trained</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((version) => (
              <tr key={version.id} data-testid="model-version-row" data-version={version.version}>
                <td>
                  <input
                    type="checkbox"
                    checked={picked.includes(version.version)}
                    onChange={() => togglePicked(version.version)}
                    aria-label={`Compare version ${version.version}`}
                    data-testid="compare-pick"
                  />
                </td>
                <th scope="row">{version.version}</th>
                <td>
                  <span className={`stage stage-${version.stage}`} data-testid="model-version-stage">
                    {STAGE_LABELS[version.stage]}
                  </span>
                  {version.status === "broken" ? (
                    <span className="hint" title="Its stored model file is missing: it cannot serve.">
                      {" "}
                      (broken)
                    </span>
                  ) : null}
                </td>
                <td>
                  <div className="button-group">
                    {STAGE_ACTIONS.filter((action) => action.stage !== version.stage).map((action) => (
                      <button
                        key={action.stage}
                        type="button"
                        className={action.stage === "production" ? "btn btn-small btn-primary" : "btn btn-small"}
                        disabled={pendingVersionId !== null}
                        aria-label={
                          action.stage === "archived"
                            ? `Archive version ${version.version}`
                            : `Move version ${version.version} to ${action.label.toLowerCase()}`
                        }
                        onClick={() => move(version, action.stage)}
                        data-testid={`stage-${action.stage}`}
                      >
                        {action.label}
                      </button>
                    ))}
                  </div>
                </td>
                <td className="decision-cell" data-testid="promotion-cell">
                  {decisionCell(version)}
                </td>
                <td className="numeric trained-on-cell" data-testid="trained-on-cell">
                  {formatCount(version.metrics.train_n ?? version.label_count)}
                  <div className="hint">{sourcesShort(version.metrics.train_source_counts)}</div>
                  {version.dataset_snapshot ? (
                    <Link
                      className="hint"
                      to={paths.projectDatasets.href(projectId, version.dataset_snapshot.number)}
                      data-testid="trained-on-snapshot"
                    >
                      snapshot {version.dataset_snapshot.number}
                    </Link>
                  ) : null}
                </td>
                {metricCells(version, classes)}
                <td className="numeric">{formatCount(version.metrics.n)}</td>

                <td>
                  {version.algorithm}
                  {version.embedder ? (
                    <span className="hint" title={embedderTitle(version.embedder)} data-testid="embedder-hint">
                      {" "}
                      on {embedderShort(version.embedder)}
                    </span>
                  ) : null}
                  <FewShotNote record={version.metrics.few_shot} />
                </td>
                <td>{formatDateTime(version.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ModelVersionDetail projectId={projectId} versions={rows} classes={classes} />
      {versions.data.count > DEFAULT_PAGE_SIZE ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={versions.data.count}
          onPageChange={setPage}
          label="Model version pages"
        />
      ) : null}
    </div>
  );
}
