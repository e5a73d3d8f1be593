import { formatCount, formatDecimal, formatPercent } from "@/lib/format";

import type { AnnotatorStats } from "../types";

function formatRate(rate: number | null): string {
  return typeof rate === "number" && Number.isFinite(rate) ? `${rate.toFixed(rate < 10 ? 1 : 0)}/h` : "—";
}

/** Each annotator's throughput, how often they accept proposals, and their agreement with others. */
export function AnnotatorsTable({ annotators }: { annotators: AnnotatorStats[] }) {
  if (annotators.length === 0) {
    return <p className="hint">Nobody has labeled through the queue yet.</p>;
  }
  const sorted = [...annotators].sort((a, b) => b.done_total - a.done_total || a.username.localeCompare(b.username));
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="annotators-table">
        <thead>
          <tr>
            <th scope="col">Annotator</th>
            <th scope="col" className="numeric">
              Today
            </th>
            <th scope="col" className="numeric">
              In total
            </th>
            <th scope="col" className="numeric">
              Pace
            </th>
            <th scope="col" className="numeric">
              Proposals accepted
            </th>
            <th scope="col" className="numeric" title="Mean Cohen's kappa with the others, on items labeled by both">
              Agreement (κ)
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((annotator) => (
            <tr key={annotator.user_id} data-testid="annotator-row">
              <th scope="row">{annotator.username}</th>
              <td className="numeric">{formatCount(annotator.done_today)}</td>
              <td className="numeric">{formatCount(annotator.done_total)}</td>
              <td className="numeric">{formatRate(annotator.rate_per_hour)}</td>
              <td className="numeric">{formatPercent(annotator.acceptance_rate)}</td>
              <td className="numeric">{formatDecimal(annotator.kappa, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
