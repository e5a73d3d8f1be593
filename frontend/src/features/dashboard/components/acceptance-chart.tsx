import { useId, useState } from "react";

import { formatCount, formatPercent } from "@/lib/format";

import type { AcceptanceDay } from "../types";
import { acceptanceGeometry, DASHBOARD_CHART_BOX, shortDate } from "../utils/chart-geometry";

/** One sentence a screen reader can say instead of the picture. */
function summary(days: AcceptanceDay[]): string {
  const rated = days.filter((day) => day.acceptance_rate !== null);
  const first = rated[0];
  const last = rated[rated.length - 1];
  if (!first || !last) return "No proposal has been accepted or corrected yet.";
  if (first === last) return `On ${shortDate(first.date)}, ${formatPercent(first.acceptance_rate)} of proposals were accepted.`;
  return (
    `Accepted proposals went from ${formatPercent(first.acceptance_rate)} on ${shortDate(first.date)} ` +
    `to ${formatPercent(last.acceptance_rate)} on ${shortDate(last.date)}.`
  );
}

/**
 * The share of the model's proposals people accepted, per day: as the model learns, more are
 * accepted and each label costs less work. Drawn as inline SVG with the numbers in a table.
 */
export function AcceptanceChart({ days }: { days: AcceptanceDay[] }) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  const box = DASHBOARD_CHART_BOX;
  const geometry = acceptanceGeometry(days, box);
  const { area } = geometry;

  if (geometry.points.length === 0) {
    return (
      <p className="hint" data-testid="acceptance-chart">
        No proposal has been answered yet: the chart starts once people accept or correct the model's proposals.
      </p>
    );
  }

  return (
    <figure className="chart" data-testid="acceptance-chart">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>Proposals accepted per day</title>
        <desc id={`${id}-desc`}>{summary(days)}</desc>
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
          <line x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} />
          {geometry.yTicks.map((tick) => (
            <text key={tick.value} x={area.left - 8} y={tick.position} dy="0.32em" textAnchor="end">
              {formatPercent(tick.value, 0)}
            </text>
          ))}
        </g>
        {geometry.path ? <path className="chart-line" d={geometry.path} aria-hidden="true" /> : null}
        <g>
          {geometry.points.map((point) => (
            <circle
              key={point.date}
              className="chart-point"
              cx={point.x}
              cy={point.y}
              r={3.5}
              data-testid="acceptance-point"
              data-date={point.date}
            >
              <title>
                {`${shortDate(point.date)}: ${formatPercent(point.acceptance_rate)} accepted (${formatCount(point.accepted)} accepted, ${formatCount(point.corrected)} corrected)`}
              </title>
            </circle>
          ))}
        </g>
      </svg>
      <figcaption className="row">
        <span className="hint">Share of proposals accepted as they were, per day (last 30 days).</span>
        <button
          type="button"
          className="btn-link"
          aria-expanded={showTable}
          aria-controls={`${id}-table`}
          onClick={() => setShowTable((shown) => !shown)}
        >
          {showTable ? "Hide the numbers" : "Show the numbers"}
        </button>
      </figcaption>
      {/* The hidden table sits in a clipping box: a table never shrinks below its content, so
          hidden on its own it would still widen the page (a sideways scroll bar). */}
      <div className={showTable ? "table-scroll" : "visually-hidden"} data-testid="chart-numbers">
        <table
          id={`${id}-table`}
          className="table table-compact"
          data-testid="acceptance-table"
        >
          <caption>Proposals answered per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="numeric">
                Accepted
              </th>
              <th scope="col" className="numeric">
                Corrected
              </th>
              <th scope="col" className="numeric">
                Without proposal
              </th>
              <th scope="col" className="numeric">
                Accepted share
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <th scope="row">{day.date}</th>
                <td className="numeric">{formatCount(day.accepted)}</td>
                <td className="numeric">{formatCount(day.corrected)}</td>
                <td className="numeric">{formatCount(day.no_suggestion)}</td>
                <td className="numeric">{formatPercent(day.acceptance_rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
