import { formatCount, formatPercent } from "@/lib/format";

import type { LabelCount } from "../types";

/** How often each label was given, as bars with their numbers. */
export function LabelDistribution({ counts }: { counts: LabelCount[] }) {
  const total = counts.reduce((sum, entry) => sum + entry.count, 0);
  if (total === 0) return <p className="hint">No labels yet.</p>;
  const largest = Math.max(...counts.map((entry) => entry.count));
  return (
    <ul className="distribution" data-testid="label-distribution" aria-label="Labels given">
      {counts.map((entry) => (
        <li key={entry.label} data-testid="label-distribution-row" data-label={entry.label}>
          <span className="break-anywhere">{entry.label}</span>
          <span className="distribution-track" aria-hidden="true">
            <span className="distribution-fill" style={{ display: "block", width: `${(entry.count / largest) * 100}%` }} />
          </span>
          <span className="numeric">
            {formatCount(entry.count)} ({formatPercent(entry.count / total, 0)})
          </span>
        </li>
      ))}
    </ul>
  );
}
