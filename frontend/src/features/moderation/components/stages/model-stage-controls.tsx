import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime, formatDecimal, formatPercent } from "@/lib/format";

import { type StageChange, useChangeStage, useModelCompare, useStageModelVersions } from "../../api/model-stages";
import type { CompareSide, StageModelVersion } from "../../types";
import { ConfirmDialog } from "../shared/confirm-dialog";
import "../moderation.css";

type Slot = "production" | "canary" | "shadow";
const SLOTS: { stage: Slot; title: string }[] = [
  { stage: "production", title: "Production" },
  { stage: "canary", title: "Canary" },
  { stage: "shadow", title: "Shadow" },
];

/** The newest version in each stage that serves or scores (production, canary, shadow). */
export function currentVersions(versions: readonly StageModelVersion[]): Record<Slot, StageModelVersion | null> {
  const newest = (stage: Slot) =>
    versions.filter((version) => version.stage === stage).sort((a, b) => b.version - a.version)[0] ?? null;
  return { production: newest("production"), canary: newest("canary"), shadow: newest("shadow") };
}

type Pending = { change: StageChange; title: string; body: string; confirm: string };

function MetricRows({ version, side }: { version: StageModelVersion; side: CompareSide | undefined }) {
  const metrics = side?.metrics ?? version.metrics;
  const agreement = side?.decision_agreement;
  return (
    <dl className="facts" data-testid="stage-metrics">
      <div>
        <dt>ROC AUC</dt>
        <dd data-testid="metric-roc-auc">{formatDecimal(metrics.roc_auc)}</dd>
      </div>
      <div>
        <dt>F1 macro</dt>
        <dd data-testid="metric-f1">{formatDecimal(metrics.f1_macro)}</dd>
      </div>
      <div>
        <dt>Accuracy</dt>
        <dd>{formatDecimal(metrics.accuracy)}</dd>
      </div>
      <div>
        <dt>ECE</dt>
        <dd>{formatDecimal(metrics.ece)}</dd>
      </div>
      <div>
        <dt>Held-out items</dt>
        <dd>{formatCount(metrics.n)}</dd>
      </div>
      <div>
        <dt>Labels trained on</dt>
        <dd>{formatCount(version.label_count)}</dd>
      </div>
      {agreement ? (
        <div>
          <dt>Agrees with moderators</dt>
          <dd data-testid="metric-agreement">
            {formatPercent(agreement.agreement)} <span className="hint">of {formatCount(agreement.n)} decisions</span>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/**
 * The project's production, canary and shadow versions with their metrics side by side, and one
 * button each to promote to canary, promote to production, or roll back (each asks first).
 */
export function ModelStageControls({ projectId, canChange }: { projectId: number; canChange: boolean }) {
  const versions = useStageModelVersions(projectId);
  const change = useChangeStage();
  const [pending, setPending] = useState<Pending | null>(null);

  const current = currentVersions(versions.data?.results ?? []);
  const candidate = current.canary ?? current.shadow;
  const compare = useModelCompare({
    projectId,
    a: current.production?.version ?? null,
    b: candidate?.version ?? null,
  });
  // Shadow and canary may differ from what the compare call covered: it compares production with
  // the version closest to it.
  const sideFor = (version: StageModelVersion | null): CompareSide | undefined => {
    if (!version || !compare.data) return undefined;
    if (compare.data.a.id === version.id) return compare.data.a;
    if (compare.data.b.id === version.id) return compare.data.b;
    return undefined;
  };
  // Rollback brings back the most recent archived version that once served in production.
  const rollbackTarget = (versions.data?.results ?? [])
    .filter((version) => version.stage === "archived" && version.promoted_at !== null)
    .sort((a, b) => (b.promoted_at ?? "").localeCompare(a.promoted_at ?? ""))[0];
  const archivedProduction = rollbackTarget !== undefined;

  if (versions.isPending) return <Loading label="Loading model versions…" />;
  if (versions.isError) return <ErrorMessage error={versions.error} title="Could not load the model versions" />;

  function ask(next: Pending) {
    change.reset();
    setPending(next);
  }

  return (
    <div className="stack" data-testid="model-stage-controls">
      <div className="compare-grid">
        {SLOTS.map(({ stage, title }) => {
          const version = current[stage];
          return (
            <section key={stage} className="card stack" data-testid={`stage-slot-${stage}`} aria-label={title}>
              <h3>
                {title}
                {version ? <span data-testid="stage-version"> · version {version.version}</span> : null}
              </h3>
              {version ? (
                <>
                  <p className="hint">Trained {formatDateTime(version.created_at)}</p>
                  <MetricRows version={version} side={sideFor(version)} />
                </>
              ) : (
                <p className="hint">No {title.toLowerCase()} version.</p>
              )}
              {canChange && version && stage === "shadow" ? (
                <button
                  type="button"
                  className="btn"
                  disabled={change.isPending}
                  data-testid="promote-canary"
                  onClick={() =>
                    ask({
                      change: { kind: "stage", projectId, versionId: version.id, stage: "canary" },
                      title: `Promote version ${version.version} to canary?`,
                      body: "A share of intake (the policy's canary share) will be scored by it.",
                      confirm: "Promote to canary",
                    })
                  }
                >
                  Promote to canary
                </button>
              ) : null}
              {canChange && version && (stage === "canary" || stage === "shadow") ? (
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={change.isPending}
                  data-testid={`promote-production-${stage}`}
                  onClick={() =>
                    ask({
                      change: { kind: "stage", projectId, versionId: version.id, stage: "production" },
                      title: `Put version ${version.version} into production?`,
                      body: `It will score all intake and may act on its own, as the automation level allows.${
                        current.production ? ` Version ${current.production.version} will be archived.` : ""
                      }`,
                      confirm: "Promote to production",
                    })
                  }
                >
                  Promote to production
                </button>
              ) : null}
              {canChange && version && stage === "production" ? (
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={change.isPending || !archivedProduction}
                  title={archivedProduction ? undefined : "There is no earlier production version."}
                  data-testid="rollback"
                  onClick={() =>
                    ask({
                      change: { kind: "rollback", projectId },
                      title: `Roll back from version ${version.version}?`,
                      body: `Version ${rollbackTarget?.version ?? "?"}, the previous production version, serves again, and version ${version.version} is archived.`,
                      confirm: "Roll back",
                    })
                  }
                >
                  Roll back
                </button>
              ) : null}
            </section>
          );
        })}
      </div>
      <ErrorMessage error={compare.error} title="Could not compare the versions" />
      <ErrorMessage error={change.error} title="The stage was not changed" />
      {change.isSuccess ? (
        <p role="status" className="alert alert-success" data-testid="stage-changed">
          Done. The change is recorded in the audit log.
        </p>
      ) : null}
      {pending ? (
        <ConfirmDialog
          title={pending.title}
          confirmLabel={pending.confirm}
          danger={pending.change.kind === "rollback"}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            change.mutate(pending.change);
            setPending(null);
          }}
        >
          <p>{pending.body}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
