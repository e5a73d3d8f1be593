import { useId } from "react";

import { formatCount, formatDecimal } from "@/lib/format";

import type { EvaluationReport } from "../../types";
import { metricText } from "../../utils/evaluation-text";
import { reliabilityBars, UNIT_CHART, unitX, unitY } from "../../utils/evaluation-geometry";

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The reliability diagram: for each confidence bin, the share of its items the model got right (bar)
 * at the bin's mean confidence (dot). A calibrated model's dots sit on the diagonal. ECE and the Brier
 * score, with 95 % intervals, are in the caption.
 */
export function ReliabilityDiagram({ calibration }: { calibration: EvaluationReport["calibration"] }) {
  const id = useId();
  const bars = reliabilityBars(calibration.bins);
  const size = UNIT_CHART.size;
  const summary = `ECE ${metricText(calibration.ece)}, Brier score ${metricText(calibration.brier)}.`;

  return (
    <figure className="chart evaluation-chart" data-testid="reliability-diagram">
      <svg className="chart-svg" viewBox={`0 0 ${size} ${size}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>Reliability diagram</title>
        <desc id={`${id}-desc`}>
          {bars
            .map(
              ({ bin }) =>
                `Confidence ${formatDecimal(bin.lower, 1)}–${formatDecimal(bin.upper, 1)}: ${formatCount(bin.count)} items, ` +
                `${formatDecimal(bin.accuracy.value, 2)} right at mean confidence ${formatDecimal(bin.confidence, 2)}.`,
            )
            .join(" ")}
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
            Confidence
          </text>
          <text
            className="chart-axis-label"
            x={10}
            y={unitY(0.5)}
            textAnchor="middle"
            transform={`rotate(-90 10 ${unitY(0.5)})`}
          >
            Share right
          </text>
        </g>
        <line className="reliability-diagonal" x1={unitX(0)} y1={unitY(0)} x2={unitX(1)} y2={unitY(1)} />
        {bars.map((bar) => (
          <g key={bar.key}>
            <rect className="reliability-bar" x={bar.x + 1} y={bar.y} width={Math.max(0, bar.width - 2)} height={bar.height}>
              <title>
                {`${formatCount(bar.bin.count)} items with confidence ${formatDecimal(bar.bin.lower, 1)}–${formatDecimal(bar.bin.upper, 1)}: ${metricText(bar.bin.accuracy, 2)} right`}
              </title>
            </rect>
            <circle className="chart-point" cx={bar.dotX} cy={bar.dotY} r={3} />
          </g>
        ))}
      </svg>
      <figcaption data-testid="calibration-summary">{summary}</figcaption>
    </figure>
  );
}
