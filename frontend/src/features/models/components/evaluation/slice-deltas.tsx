import { formatCount, formatDecimal } from "@/lib/format";

import type { CompareSlices } from "../../types";
import { deltaText } from "../../utils/evaluation-text";

/**
 * Per-slice change of macro F1 from the older version to the newer one on the same items; a slice the
 * newer one hurts while it helps overall is flagged, so a promotion that costs a slice is seen first.
 */
export function SliceDeltas({ slices, older, newer }: { slices: CompareSlices; older: number; newer: number }) {
  if (slices.fields.length === 0) {
    return (
      <p className="hint" data-testid="slice-deltas">
        No slice fields declared: choose them in the Models tab settings to compare the versions per slice.
      </p>
    );
  }
  return (
    <div className="stack" data-testid="slice-deltas">
      {slices.regressions.length ? (
        <p role="alert" className="alert alert-warning" data-testid="slice-regressions">
          Version {newer} does better overall (macro F1 {deltaText(slices.f1_macro_delta)}) but worse on{" "}
          {slices.regressions.map((r, index) => (
            <span key={`${r.field}=${r.value}`}>
              {index ? ", " : ""}
              <bdi>{r.field}</bdi> = <bdi>{r.value}</bdi> ({deltaText(r.f1_macro_delta)})
            </span>
          ))}
          .
        </p>
      ) : null}
      {slices.fields.map((field) => (
        <div key={field.field} className="table-scroll">
          <table className="table table-compact">
            <caption>
              Macro F1 by <bdi>{field.field}</bdi>: version {older} → version {newer}
            </caption>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col" className="numeric">
                  Items
                </th>
                <th scope="col" className="numeric">
                  Version {older}
                </th>
                <th scope="col" className="numeric">
                  Version {newer}
                </th>
                <th scope="col" className="numeric">
                  Change
                </th>
              </tr>
            </thead>
            <tbody>
              {field.values.map((value) => (
                <tr key={value.value} className={value.regression ? "slice-regression" : undefined}>
                  <th scope="row">
                    <bdi>{value.value}</bdi>
                    {value.regression ? <span className="slice-badge">Hurt</span> : null}
                  </th>
                  <td className="numeric">{formatCount(value.support)}</td>
                  <td className="numeric">{formatDecimal(value.f1_macro_before)}</td>
                  <td className="numeric">{formatDecimal(value.f1_macro_after)}</td>
                  <td className="numeric">{deltaText(value.f1_macro_delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
