import { useNow } from "../../hooks/use-now";
import { slaStatus } from "../../utils/sla";

/** A live countdown to the review deadline, red once it has passed. */
export function SlaCountdown({ dueAt, now: fixedNow }: { dueAt: string | null | undefined; now?: number }) {
  const ticking = useNow(1000);
  const status = slaStatus(dueAt, fixedNow ?? ticking);
  if (!status) return <span className="hint">no deadline</span>;
  return (
    <time
      dateTime={dueAt ?? undefined}
      className={status.overdue ? "sla sla-overdue" : "sla"}
      data-testid="sla-countdown"
      data-overdue={status.overdue ? "1" : "0"}
      title={dueAt ? new Date(dueAt).toLocaleString() : undefined}
    >
      {status.text}
    </time>
  );
}
