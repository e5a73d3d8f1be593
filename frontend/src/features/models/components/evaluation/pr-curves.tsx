import { useId } from "react";

import { formatDecimal } from "@/lib/format";

import type { PrCurve } from "../../types";
import { prPath, UNIT_CHART, unitX, unitY } from "../../utils/evaluation-geometry";

const TICKS = [0, 0.5, 1];
const COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#bab0ac"];

/** Precision against recall for each class (one vs the rest), with its average precision. */
export function PrCurves({ curves }: { curves: PrCurve[] }) {
  const id = useId();
  const drawn = curves.filter((curve) => curve.points.length > 0);
  const size = UNIT_CHART.size;
  if (drawn.length === 0) {
    return <p className="hint">No precision–recall curve: the held-out items have no class with a label.</p>;
  }
  return (
    <figure className="chart evaluation-chart" data-testid="pr-curves">
      <svg className="chart-svg" viewBox={`0 0 ${size} ${size}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>Precision–recall curves</title>
        <desc id={`${id}-desc`}>
          {drawn.map((curve) => `${curve.name}: average precision ${formatDecimal(curve.average_precision)}.`).join(" ")}
        </desc>
        <g className="chart-grid">
          {TICKS.map((tick) => (
            <line key={tick} x1={unitX(0)} x2={unitX(1)} y1={unitY(tick)} y2={unitY(tick)} />
          ))}
        </g>
        <g className="chart-axis">
          <line x1={unitX(0)} x2={unitX(1)} y1={unitY(0)} y2={unitY(0)} />
          <line x1={unitX(0)} x2={unitX(0)} y1={unitY(0)} y2={unitY(1)} />
          {TICKS.map((tick) => (
            <g key={tick}>
              <text x={unitX(tick)} y={unitY(0) + 14} textAnchor="middle">
                {tick}
              </text>
              <text x={unitX(0) - 6} y={unitY(tick) + 4} textAnchor="end">
                {tick}
              </text>
            </g>
          ))}
          <text className="chart-axis-label" x={unitX(0.5)} y={size - 4} textAnchor="middle">
            Recall
          </text>
          <text className="chart-axis-label" x={10} y={unitY(0.5)} textAnchor="middle" transform={`rotate(-90 10 ${unitY(0.5)})`}>
            Precision
          </text>
        </g>
        {drawn.map((curve, index) => (
          <path key={curve.name} className="pr-line" d={prPath(curve)} stroke={COLOURS[index % COLOURS.length]} />
        ))}
      </svg>
      <figcaption>
        <ul className="chart-legend">
          {drawn.map((curve, index) => (
            <li key={curve.name}>
              <span className="legend-swatch" style={{ background: COLOURS[index % COLOURS.length] }} aria-hidden="true" />
              <bdi>{curve.name}</bdi>: AP {formatDecimal(curve.average_precision)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
