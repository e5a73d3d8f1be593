/** Time left until an SLA deadline, for a live countdown. */
export type SlaStatus = {
  /** Milliseconds left; negative once the deadline has passed. */
  remainingMs: number;
  overdue: boolean;
  /** e.g. "2h 05m left", "14m 09s left", "overdue by 1h 02m". */
  text: string;
};

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** A duration as the two largest units that matter: "3d 04h", "2h 05m", "4m 09s", "12s". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** Where a deadline stands at `now` (ms since the epoch); null when there is no deadline. */
export function slaStatus(dueAt: string | null | undefined, now: number): SlaStatus | null {
  if (!dueAt) return null;
  const due = new Date(dueAt).getTime();
  if (Number.isNaN(due)) return null;
  const remainingMs = due - now;
  const overdue = remainingMs <= 0;
  return {
    remainingMs,
    overdue,
    text: overdue ? `overdue by ${formatDuration(remainingMs)}` : `${formatDuration(remainingMs)} left`,
  };
}
