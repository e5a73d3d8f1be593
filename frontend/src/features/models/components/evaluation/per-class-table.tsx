import { formatCount } from "@/lib/format";

import type { EvaluationReport } from "../../types";
import { metricText } from "../../utils/evaluation-text";

/** Precision, recall and F1 per class with their 95 % intervals, and each class's support. */
export function PerClassTable({ report }: { report: EvaluationReport }) {
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="per-class-table">
        <caption>
          Per class on {formatCount(report.n)} held-out items (95 % intervals). Accuracy {metricText(report.accuracy)},
          macro F1 {metricText(report.f1_macro)}.
        </caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="numeric">
              Items
            </th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
          </tr>
        </thead>
        <tbody>
          {report.per_class.map((row) => (
            <tr key={row.name}>
              <th scope="row">
                <bdi>{row.name}</bdi>
              </th>
              <td className="numeric">{formatCount(row.support)}</td>
              <td className="nowrap">{metricText(row.precision)}</td>
              <td className="nowrap">{metricText(row.recall)}</td>
              <td className="nowrap">{metricText(row.f1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
