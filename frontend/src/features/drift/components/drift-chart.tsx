import { useId } from "react";

import { formatDateTime, formatDecimal } from "@/lib/format";

import type { DriftMeasure, DriftWindow } from "../types";
import { DRIFT_CHART_BOX, driftGeometry } from "../utils/drift-geometry";

type DriftChartProps = {
  windows: DriftWindow[];
  measure: DriftMeasure;
  title: string;
  help: string;
  threshold: number | null;
};

function summary(windows: DriftWindow[], measure: DriftMeasure, threshold: number | null): string {
  const measured = windows.filter((window) => typeof window[measure] === "number");
  const last = measured[measured.length - 1];
  if (!last) return "No window has this measure yet.";
  const alarms = measured.filter((window) => window.alarms.includes(measure)).length;
  const above = alarms === 0 ? "none above the threshold" : `${alarms} above the threshold`;
  const limit = threshold === null ? "" : ` (threshold ${formatDecimal(threshold)})`;
  return `${measured.length} windows, ${above}${limit}; the latest, window ${last.number}, is ${formatDecimal(last[measure])}.`;
}

/** One drift measure over the windows as inline SVG: the line, the threshold as a dashed line, windows in
 * alarm as red bands and the points that crossed the threshold as red diamonds. */
export function DriftChart({ windows, measure, title, help, threshold }: DriftChartProps) {
  const id = useId();
  const box = DRIFT_CHART_BOX;
  const geometry = driftGeometry(windows, measure, threshold, box);
  const { area } = geometry;
  return (
    <figure className="chart drift-chart" data-testid={`drift-chart-${measure}`}>
      <figcaption>
        <strong>{title}</strong>
        <span className="hint"> {help}</span>
      </figcaption>
      <svg
        className="chart-svg"
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{`${title} by window`}</title>
        <desc id={`${id}-desc`}>{summary(windows, measure, threshold)}</desc>
        <g aria-hidden="true">
          {geometry.alarmBands.map((band) => (
            <rect
              key={band.number}
              className="drift-alarm-band"
              x={band.x}
              y={area.top}
              width={band.width}
              height={area.bottom - area.top}
              data-testid="drift-alarm-band"
            />
          ))}
        </g>
        <g className="chart-grid" aria-hidden="true">
          {geometry.yTicks.map((tick) => (
            <line key={tick.value} x1={area.left} x2={area.right} y1={tick.position} y2={tick.position} />
          ))}
        </g>
        <g className="chart-axis" aria-hidden="true">
          <line x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} />
          {geometry.xTicks.map((tick) => (
            <g key={tick.value} transform={`translate(${tick.position},${area.bottom})`}>
              <line y2={5} />
              <text y={18} textAnchor="middle">
                {tick.value}
              </text>
            </g>
          ))}
          <text className="chart-axis-label" x={(area.left + area.right) / 2} y={box.height - 6} textAnchor="middle">
            Window
          </text>
          <line x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} />
          {geometry.yTicks.map((tick) => (
            <g key={tick.value} transform={`translate(${area.left},${tick.position})`}>
              <line x2={-5} />
              <text x={-8} dy="0.32em" textAnchor="end">
                {tick.value}
              </text>
            </g>
          ))}
        </g>
        {geometry.thresholdY !== null ? (
          <line
            className="drift-threshold"
            x1={area.left}
            x2={area.right}
            y1={geometry.thresholdY}
            y2={geometry.thresholdY}
            data-testid="drift-threshold"
          >
            <title>{`Threshold ${formatDecimal(threshold)}`}</title>
          </line>
        ) : null}
        {geometry.path ? <path className="chart-line" d={geometry.path} aria-hidden="true" /> : null}
        {geometry.points.length === 0 ? (
          <text
            x={(area.left + area.right) / 2}
            y={(area.top + area.bottom) / 2}
            textAnchor="middle"
            aria-hidden="true"
            data-testid="drift-chart-no-values"
          >
            {measure === "overturn_share"
              ? "Not measured yet: needs moderators' decisions on proposals"
              : "Not measured yet"}
          </text>
        ) : null}
        <g>
          {geometry.points.map((point) =>
            point.alarm ? (
              <path
                key={point.number}
                className="drift-point-alarm"
                d={`M${point.x},${point.y - 6} L${point.x + 6},${point.y} L${point.x},${point.y + 6} L${point.x - 6},${point.y} Z`}
                data-testid="drift-point-alarm"
              >
                <title>{`Window ${point.number} (${formatDateTime(point.window.ended_at)}): ${formatDecimal(point.value)}, above the threshold`}</title>
              </path>
            ) : (
              <circle key={point.number} className="chart-point" cx={point.x} cy={point.y} r={3.5} data-testid="drift-point">
                <title>{`Window ${point.number} (${formatDateTime(point.window.ended_at)}): ${formatDecimal(point.value)}`}</title>
              </circle>
            ),
          )}
        </g>
      </svg>
    </figure>
  );
}
