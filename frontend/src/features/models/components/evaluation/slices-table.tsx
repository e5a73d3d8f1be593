import { formatCount } from "@/lib/format";

import type { EvaluationReport, SliceField } from "../../types";
import { gapText, metricText, shareText } from "../../utils/evaluation-text";

function FieldTable({ field, minSupport }: { field: SliceField; minSupport: number }) {
  return (
    <div className="table-scroll">
      <table className="table table-compact slices-table" data-testid={`slices-${field.field}`}>
        <caption>
          By <bdi>{field.field}</bdi>
        </caption>
        <thead>
          <tr>
            <th scope="col">Value</th>
            <th scope="col" className="numeric">
              Items
            </th>
            <th scope="col">Macro F1</th>
            <th scope="col">Accuracy</th>
            <th scope="col">False positives</th>
            <th scope="col">False negatives</th>
          </tr>
        </thead>
        <tbody>
          {field.values.map((value) => (
            <tr
              key={value.value}
              className={value.worst ? "slice-worst" : value.enough_support ? undefined : "slice-small"}
              data-testid={value.worst ? "worst-slice-row" : undefined}
            >
              <th scope="row">
                <bdi>{value.value}</bdi>
                {value.worst ? <span className="slice-badge">Worst</span> : null}
                {value.enough_support ? null : (
                  <span className="hint" title={`Fewer than ${minSupport} items: never ranked worst`}>
                    {" "}
                    (few items)
                  </span>
                )}
              </th>
              <td className="numeric">{formatCount(value.support)}</td>
              <td className="nowrap">{metricText(value.f1_macro)}</td>
              <td className="nowrap">{shareText(value.accuracy)}</td>
              <td className="nowrap">
                {shareText(value.fpr)}{" "}
                <span className={value.fpr_gap_clear ? "gap gap-clear" : "gap"} title="Against every other held-out item">
                  {gapText(value.fpr_gap)}
                </span>
              </td>
              <td className="nowrap">
                {shareText(value.fnr)}{" "}
                <span className={value.fnr_gap_clear ? "gap gap-clear" : "gap"} title="Against every other held-out item">
                  {gapText(value.fnr_gap)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Each slice field's values with support and scores (95 % intervals), the worst value highlighted (lowest
 * macro F1 among values with enough items), and the false-positive / false-negative rate gaps against
 * the rest of the held-out items: the fairness view.
 */
export function SlicesTable({ slices }: { slices: EvaluationReport["slices"] }) {
  if (slices.fields.length === 0) {
    return (
      <p className="hint" data-testid="slices-empty">
        No slices: declare metadata fields as slices in the settings below, then evaluate this version again.
      </p>
    );
  }
  const worst = slices.worst[0];
  const positives = slices.positive_classes.join(", ");
  return (
    <div className="stack" data-testid="slices">
      {worst ? (
        <p className="alert alert-warning" data-testid="worst-slice">
          Worst slice: <strong>
            <bdi>{worst.field}</bdi> = <bdi>{worst.value}</bdi>
          </strong>{" "}
          (macro F1 {metricText(worst.f1_macro)}).
        </p>
      ) : (
        <p className="hint" data-testid="worst-slice">
          No slice value has the {slices.min_support} items needed to be ranked.
        </p>
      )}
      <p className="hint">
        False-positive and false-negative rates are of {positives}; the change against every other held-out item is in
        points, bold where the two 95 % intervals do not overlap. Values with fewer than {slices.min_support} items are
        never ranked worst.
      </p>
      {slices.fields.map((field) => (
        <FieldTable key={field.field} field={field} minSupport={slices.min_support} />
      ))}
    </div>
  );
}
