import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime, formatDecimal, formatPercent } from "@/lib/format";

import { useAutoLabelEstimate } from "../api/get-auto-label-estimate";

const COUNT_LABELS: Record<string, string> = {
  auto_labeled: "Labeled automatically",
  audit_items: "Audit items",
  audit_labeled: "Audit items labeled by people",
  unlabeled: "Unlabeled",
};

/** "audit_items" → "Audit items" for a count the list above does not name. */
function countLabel(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return COUNT_LABELS[key] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * How precise automatic labels are estimated to be above the chosen confidence threshold (from
 * the audit items people labeled), and how many items are where.
 */
export function AutoLabelEstimate({ projectId }: { projectId: number }) {
  const estimate = useAutoLabelEstimate({ projectId });
  if (estimate.isPending) return <Loading label="Loading the auto-label estimate…" />;
  if (estimate.isError) {
    return <ErrorMessage error={estimate.error} title="Could not load the auto-label estimate" />;
  }
  const data = estimate.data;

  const hasEstimate = data.created_at !== null || data.precision !== null;
  return (
    <div className="stack" data-testid="auto-label-estimate">
      <p className="hint">
        {data.enabled
          ? `On: items are labeled automatically above the threshold, aiming at ${formatPercent(data.target_precision)} precision.`
          : "Off: the model only proposes labels."}
      </p>
      {hasEstimate ? (
        <dl className="facts">
          <div>
            <dt>Confidence threshold</dt>
            <dd data-testid="auto-label-threshold">{formatDecimal(data.threshold)}</dd>
          </div>
          <div>
            <dt>Estimated precision</dt>
            <dd data-testid="auto-label-precision">{formatPercent(data.precision)}</dd>
          </div>
          <div>
            <dt>Confidence interval</dt>
            <dd data-testid="auto-label-interval">
              {data.ci_low === null && data.ci_high === null
                ? "—"
                : `${formatPercent(data.ci_low)} – ${formatPercent(data.ci_high)}`}
            </dd>
          </div>
          {data.n_audit !== null ? (
            <div>
              <dt>Audit items above it</dt>
              <dd>
                {formatCount(data.n_above)} of {formatCount(data.n_audit)}
              </dd>
            </div>
          ) : null}
        </dl>
      ) : (
        <p className="hint" data-testid="auto-label-none">
          No estimate yet: it is made after training, once enough audit items have human labels.
        </p>
      )}
      {data.message ? <p className="alert alert-warning pre-wrap">{data.message}</p> : null}
      {hasEstimate && data.created_at ? (
        <p className="hint">
          Estimated {formatDateTime(data.created_at)}
          {data.model_version !== null ? ` with version ${data.model_version}` : null}.
        </p>
      ) : null}
      <dl className="facts">
        {Object.entries(data.counts ?? {}).map(([key, value]) => (
          <div key={key}>
            <dt>{countLabel(key)}</dt>
            <dd>{formatCount(value)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
