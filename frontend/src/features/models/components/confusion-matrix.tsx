import type { CSSProperties } from "react";

import { formatCount } from "@/lib/format";

type ConfusionMatrixProps = {
  /** Rows are the true class, columns the predicted one, in `classes` order. */
  matrix: number[][];
  classes: string[];
  caption: string;
  testId?: string;
};

/**
 * A confusion matrix as a real table: counts in each cell, shaded by their share of the true class's
 * row (so a class the model misses shows up as a dark off-diagonal cell even when it is rare).
 */
export function ConfusionMatrix({ matrix, classes, caption, testId = "confusion-matrix" }: ConfusionMatrixProps) {
  return (
    <div className="table-scroll">
      <table className="table table-compact confusion-matrix" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <td />
            <th scope="colgroup" colSpan={classes.length} className="confusion-axis">
              Predicted
            </th>
          </tr>
          <tr>
            <th scope="col">True ↓</th>
            {classes.map((name) => (
              <th key={name} scope="col" className="numeric">
                <bdi>{name}</bdi>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {classes.map((name, row) => {
            const counts = matrix[row] ?? [];
            const total = counts.reduce((sum, count) => sum + count, 0);
            return (
              <tr key={name}>
                <th scope="row">
                  <bdi>{name}</bdi>
                </th>
                {classes.map((predicted, column) => {
                  const count = counts[column] ?? 0;
                  const share = total > 0 ? count / total : 0;
                  const kind = row === column ? "hit" : "miss";
                  return (
                    <td
                      key={predicted}
                      className={`numeric confusion-cell confusion-${kind}`}
                      style={{ "--share": share.toFixed(3) } as CSSProperties}
                      title={`${formatCount(count)} of ${formatCount(total)} ${name} items predicted ${predicted}`}
                    >
                      {formatCount(count)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
