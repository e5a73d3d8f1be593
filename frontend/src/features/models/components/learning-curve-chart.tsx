import { useId, useState } from "react";

import { formatCount, formatDateTime, formatDecimal } from "@/lib/format";

import { type LearningCurvePoint, STAGE_LABELS } from "../types";
import { DEFAULT_CHART_BOX, learningCurveGeometry } from "../utils/learning-curve-geometry";

type LearningCurveChartProps = {
  points: LearningCurvePoint[];
};

/** One sentence a screen reader can say instead of the picture. */
function chartSummary(points: LearningCurvePoint[]): string {
  const plotted = points.filter((point) => typeof point.roc_auc === "number").sort((a, b) => a.version - b.version);
  const first = plotted[0];
  const last = plotted[plotted.length - 1];
  if (!first || !last) return "No version has a ROC AUC yet.";
  const missing = points.length - plotted.length;
  const span =
    first === last
      ? `One version: ROC AUC ${formatDecimal(first.roc_auc)} with ${formatCount(first.label_count)} labels.`
      : `${formatCount(plotted.length)} versions: ROC AUC went from ${formatDecimal(first.roc_auc)} with ` +
        `${formatCount(first.label_count)} labels (version ${first.version}) to ` +
        `${formatDecimal(last.roc_auc)} with ${formatCount(last.label_count)} (version ${last.version}).`;
  if (missing === 0) return span;
  return missing === 1
    ? `${span} One more version has no ROC AUC and is not drawn.`
    : `${span} ${formatCount(missing)} more versions have no ROC AUC and are not drawn.`;
}

/**
 * ROC AUC against the number of labels, one point per model version, drawn as inline SVG.
 * The same numbers are in a table that is always there for screen readers and can be shown.
 */
export function LearningCurveChart({ points }: LearningCurveChartProps) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  const box = DEFAULT_CHART_BOX;
  const geometry = learningCurveGeometry(points, box);
  const { area } = geometry;
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const tableId = `${id}-table`;
  const rows = [...points].sort((a, b) => a.version - b.version);

  if (points.length === 0) {
    return (
      <p className="hint" data-testid="learning-curve">
        No model has been trained yet; the curve starts with the first version.
      </p>
    );
  }

  return (
    <figure className="chart" data-testid="learning-curve">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
      >
        <title id={titleId}>Learning curve: ROC AUC by number of labels</title>
        <desc id={descId}>{chartSummary(points)}</desc>

        <g className="chart-grid" aria-hidden="true">
          {geometry.yTicks.map((tick) => (
            <line
              key={`y${tick.value}`}
              x1={area.left}
              x2={area.right}
              y1={tick.position}
              y2={tick.position}
            />
          ))}
        </g>

        <g className="chart-axis" aria-hidden="true" data-testid="learning-curve-x-axis">
          <line x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} />
          {geometry.xTicks.map((tick) => (
            <g key={tick.value} transform={`translate(${tick.position},${area.bottom})`}>
              <line y2={6} />
              <text y={20} textAnchor="middle">
                {formatCount(tick.value)}
              </text>
            </g>
          ))}
          <text
            className="chart-axis-label"
            x={(area.left + area.right) / 2}
            y={box.height - 8}
            textAnchor="middle"
          >
            Labels trained on
          </text>
        </g>

        <g className="chart-axis" aria-hidden="true" data-testid="learning-curve-y-axis">
          <line x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} />
          {geometry.yTicks.map((tick) => (
            <g key={tick.value} transform={`translate(${area.left},${tick.position})`}>
              <line x2={-6} />
              <text x={-10} dy="0.32em" textAnchor="end">
                {tick.value.toFixed(1)}
              </text>
            </g>
          ))}
          <text
            className="chart-axis-label"
            transform={`translate(16,${(area.top + area.bottom) / 2}) rotate(-90)`}
            textAnchor="middle"
          >
            ROC AUC
          </text>
        </g>

        {geometry.path ? <path className="chart-line" d={geometry.path} aria-hidden="true" /> : null}
        <g className="chart-points">
          {geometry.plotted.map((point) => (
            <circle
              key={point.version}
              className={point.stage === "production" ? "chart-point chart-point-production" : "chart-point"}
              cx={point.x}
              cy={point.y}
              r={4.5}
              data-testid="learning-curve-point"
              data-version={point.version}
            >
              <title>
                {`Version ${point.version}: ROC AUC ${formatDecimal(point.roc_auc)} with ${formatCount(point.label_count)} labels${point.stage === "production" ? " (in production)" : ""}`}
              </title>
            </circle>
          ))}
        </g>
      </svg>
      <figcaption className="row">
        <span className="hint">One point per model version; the filled one is in production.</span>
        <button
          type="button"
          className="btn-link"
          aria-expanded={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable((shown) => !shown)}
          data-testid="learning-curve-toggle-table"
        >
          {showTable ? "Hide the numbers" : "Show the numbers"}
        </button>
      </figcaption>
      {/* The hidden table sits in a clipping box: a table never shrinks below its content, so
          hidden on its own it would still widen the page (a sideways scroll bar). */}
      <div className={showTable ? "table-scroll" : "visually-hidden"} data-testid="chart-numbers">
        <table
          id={tableId}
          className="table table-compact"
          data-testid="learning-curve-table"
        >
          <caption>Learning curve data</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col" className="numeric">
                Labels trained on
              </th>
              <th scope="col" className="numeric">
                ROC AUC
              </th>
              <th scope="col" className="numeric">
                F1 macro
              </th>
              <th scope="col">Stage</th>
              <th scope="col">Trained</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((point) => (
              <tr key={point.version}>
                <th scope="row">{point.version}</th>
                <td className="numeric">{formatCount(point.label_count)}</td>
                <td className="numeric">{formatDecimal(point.roc_auc)}</td>
                <td className="numeric">{formatDecimal(point.f1_macro)}</td>
                <td>{STAGE_LABELS[point.stage]}</td>
                <td>{formatDateTime(point.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
