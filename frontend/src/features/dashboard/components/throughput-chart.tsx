import { useId } from "react";

import { formatCount } from "@/lib/format";

import type { ThroughputDay } from "../types";
import { DASHBOARD_CHART_BOX, shortDate, throughputGeometry } from "../utils/chart-geometry";

/** Labels given per day by everyone, as bars. */
export function ThroughputChart({ days }: { days: ThroughputDay[] }) {
  const id = useId();
  const box = DASHBOARD_CHART_BOX;
  const total = days.reduce((sum, day) => sum + day.annotations, 0);
  if (total === 0) {
    return (
      <p className="hint" data-testid="throughput-chart">
        No labels in the last 30 days.
      </p>
    );
  }
  const geometry = throughputGeometry(days, box);
  const { area } = geometry;
  const busiest = days.reduce((best, day) => (day.annotations > best.annotations ? day : best));
  return (
    <figure className="chart" data-testid="throughput-chart">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>Labels per day</title>
        <desc id={`${id}-desc`}>
          {`${formatCount(total)} labels in ${formatCount(days.length)} days; the busiest day was ${shortDate(busiest.date)} with ${formatCount(busiest.annotations)}.`}
        </desc>
        <g className="chart-grid" aria-hidden="true">
          {geometry.yTicks.map((tick) => (
            <line key={tick.value} x1={area.left} x2={area.right} y1={tick.position} y2={tick.position} />
          ))}
        </g>
        <g className="chart-axis" aria-hidden="true">
          <line x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} />
          {geometry.xTicks.map((tick) => (
            <text key={tick.date} x={tick.position} y={area.bottom + 20} textAnchor="middle">
              {shortDate(tick.date)}
            </text>
          ))}
          {geometry.yTicks.map((tick) => (
            <text key={tick.value} x={area.left - 8} y={tick.position} dy="0.32em" textAnchor="end">
              {formatCount(tick.value)}
            </text>
          ))}
        </g>
        <g>
          {geometry.bars.map((bar) => (
            <rect
              key={bar.date}
              className="chart-bar"
              x={bar.x}
              y={bar.y}
              width={bar.width}
              height={bar.height}
              data-testid="throughput-bar"
              data-date={bar.date}
            >
              <title>{`${shortDate(bar.date)}: ${formatCount(bar.annotations)} labels`}</title>
            </rect>
          ))}
        </g>
      </svg>
    </figure>
  );
}
