import { formatDecimal } from "@/lib/format";

import type { MetricIntervals } from "../types";
import { scoreWithInterval } from "../utils/metric-text";

/** The held-out scores of one version, as the API gives them (stored or measured on shared items). */
export type ScoreSet = {
  n?: number | null | undefined;
  accuracy?: number | null | undefined;
  roc_auc?: number | null | undefined;
  f1_macro?: number | null | undefined;
  f1_per_class?: Record<string, number> | null | undefined;
  precision_per_class?: Record<string, number> | null | undefined;
  recall_per_class?: Record<string, number> | null | undefined;
  intervals?: MetricIntervals | null | undefined;
};

type MetricsTableProps = {
  columns: { heading: string; scores: ScoreSet }[];
  classes: string[];
  caption: string;
  /** Add a column with the last column's score minus the first's. */
  delta?: boolean;
  testId?: string;
};

type Row = {
  label: string;
  value: (scores: ScoreSet) => number | null | undefined;
  interval: (scores: ScoreSet) => number[] | null | undefined;
};

function rows(classes: string[]): Row[] {
  return [
    { label: "Accuracy", value: (s) => s.accuracy, interval: (s) => s.intervals?.accuracy },
    { label: "ROC AUC", value: (s) => s.roc_auc, interval: (s) => s.intervals?.roc_auc },
    { label: "F1 macro", value: (s) => s.f1_macro, interval: (s) => s.intervals?.f1_macro },
    ...classes.flatMap((name): Row[] => [
      {
        label: `Precision ${name}`,
        value: (s) => s.precision_per_class?.[name],
        interval: (s) => s.intervals?.precision_per_class?.[name],
      },
      {
        label: `Recall ${name}`,
        value: (s) => s.recall_per_class?.[name],
        interval: (s) => s.intervals?.recall_per_class?.[name],
      },
      {
        label: `F1 ${name}`,
        value: (s) => s.f1_per_class?.[name],
        interval: (s) => s.intervals?.f1_per_class?.[name],
      },
    ]),
  ];
}

function signed(value: number): string {
  return `${value > 0 ? "+" : value < 0 ? "−" : "±"}${formatDecimal(Math.abs(value), 2)}`;
}

/**
 * Headline held-out scores with their 95 % intervals ("0.81 (0.62–0.92, n=19)"), one column per
 * version; rows a version has no score for (a class it does not know, a precision it never had to
 * give) show "—".
 */
export function MetricsTable({ columns, classes, caption, delta = false, testId = "metrics-table" }: MetricsTableProps) {
  const first = columns[0];
  const last = columns[columns.length - 1];
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Score (95% interval, items)</th>
            {columns.map((column) => (
              <th key={column.heading} scope="col" className="numeric">
                {column.heading}
              </th>
            ))}
            {delta ? (
              <th scope="col" className="numeric">
                Change
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows(classes).map((row) => {
            const a = first ? row.value(first.scores) : undefined;
            const b = last ? row.value(last.scores) : undefined;
            return (
              <tr key={row.label} data-testid="metric-row" data-metric={row.label}>
                <th scope="row">
                  <bdi>{row.label}</bdi>
                </th>
                {columns.map((column) => (
                  <td key={column.heading} className="numeric metric-value">
                    {scoreWithInterval(row.value(column.scores), row.interval(column.scores), column.scores.n)}
                  </td>
                ))}
                {delta ? (
                  <td className="numeric" data-testid="metric-delta">
                    {typeof a === "number" && typeof b === "number" ? signed(b - a) : "—"}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
