import { formatCount } from "@/lib/format";

import { useQueueStats } from "../../api/queues";
import type { ReviewQueueStats, ReviewTier } from "../../types";

/** "3 h", "2 d", "12 min": how long the oldest open content has waited. */
export function waitedFor(since: string | null, now: number = Date.now()): string {
  if (since === null) return "—";
  const minutes = Math.max(0, Math.round((now - new Date(since).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}

/** One option's words: the policy, the queue, and its figures. */
export function queueLabel(queue: ReviewQueueStats, showPolicy: boolean): string {
  const name = showPolicy ? `${queue.policy_name} · ${queue.name}` : queue.name;
  const risk = queue.sla_at_risk > 0 ? `, ${formatCount(queue.sla_at_risk)} SLA at risk` : "";
  return `${name}${queue.restricted ? " (restricted)" : ""} — ${formatCount(queue.depth)} waiting${risk}`;
}

type QueuePickerProps = {
  tier: ReviewTier;
  /** The queue worked now; undefined: every queue the moderator may work. */
  value: number | undefined;
  onChange: (queue: number | undefined) => void;
};

/**
 * The queues the moderator may work (restricted ones only for their members), each with how many
 * contents wait, how long the oldest has waited and how many are SLA at risk; choosing one works
 * that queue. Appeals are decided on the appeals page, so they are not offered here.
 */
export function QueuePicker({ tier, value, onChange }: QueuePickerProps) {
  const stats = useQueueStats(tier);
  const queues = (stats.data ?? []).filter((queue) => queue.kind !== "appeals");
  const showPolicy = new Set(queues.map((queue) => queue.policy)).size > 1;
  const chosen = queues.find((queue) => queue.id === value);
  const total = queues.reduce((sum, queue) => sum + queue.depth, 0);
  const atRisk = queues.reduce((sum, queue) => sum + queue.sla_at_risk, 0);
  const shown = chosen ?? null;
  return (
    <span className="queue-picker" data-testid="queue-picker">
      <label htmlFor="review-queue-picker" className="visually-hidden">
        Queue to work
      </label>
      <select
        id="review-queue-picker"
        value={value ?? ""}
        disabled={stats.isPending}
        onChange={(event) => onChange(event.target.value === "" ? undefined : Number(event.target.value))}
        data-testid="queue-picker-select"
      >
        <option value="">All my queues — {formatCount(total)} waiting</option>
        {queues.map((queue) => (
          <option key={queue.id} value={queue.id}>
            {queueLabel(queue, showPolicy)}
          </option>
        ))}
        {value !== undefined && !chosen && !stats.isPending ? (
          <option value={value}>A queue you may not work</option>
        ) : null}
      </select>
      <span className="hint" data-testid="queue-picker-figures">
        {shown
          ? `${formatCount(shown.depth)} waiting · oldest ${waitedFor(shown.oldest_created_at)} · ${formatCount(shown.sla_at_risk)} SLA at risk`
          : `${formatCount(total)} waiting · ${formatCount(atRisk)} SLA at risk`}
      </span>
    </span>
  );
}
