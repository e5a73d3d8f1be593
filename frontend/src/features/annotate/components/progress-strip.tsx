import { formatCount, formatPercent } from "@/lib/format";

import { useQueueStats } from "../api/get-queue-stats";
import { ModelNotice } from "./model-notice";

/** The server counts the queue up to this many items (more would cost a slow count). */
const QUEUE_SIZE_CAP = 10_000;

function formatRate(rate: number | null | undefined): string {
  if (typeof rate !== "number" || !Number.isFinite(rate)) return "—";
  return `${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString("en")}/h`;
}

/** Done today, pace, how often proposals are accepted, and what is left; refreshed every 30 s. */
export function ProgressStrip({ projectId }: { projectId: number }) {
  const stats = useQueueStats({ projectId });
  const data = stats.data;
  return (
    <div className="stack">
      <dl className="progress-strip" data-testid="progress-strip" aria-label="Your progress">
        <div>
          <dt>Done today</dt>
          <dd data-testid="stats-done-today">{data ? formatCount(data.done_today) : "—"}</dd>
        </div>
        <div>
          <dt>Pace</dt>
          <dd data-testid="stats-rate">{formatRate(data?.rate_per_hour)}</dd>
        </div>
        <div>
          <dt>Proposals accepted</dt>
          <dd data-testid="stats-acceptance">{formatPercent(data?.acceptance_rate, 0)}</dd>
        </div>
        <div>
          <dt>Left in the queue</dt>
          <dd data-testid="stats-queue-size">
            {data ? `${formatCount(data.queue_size)}${data.queue_size >= QUEUE_SIZE_CAP ? "+" : ""}` : "—"}
          </dd>
        </div>
      </dl>
      <ModelNotice stats={data} />
    </div>
  );
}
