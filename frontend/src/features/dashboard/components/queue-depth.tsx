import { formatCount, formatPercent } from "@/lib/format";

import type { QueueDepth as QueueDepthData } from "../types";

/** How much of the project is done, being worked on, and still waiting. */
export function QueueDepth({ queue }: { queue: QueueDepthData }) {
  const share = queue.total_items > 0 ? queue.done_items / queue.total_items : null;
  return (
    <div className="stack">
      <dl className="facts" data-testid="queue-depth">
        <div>
          <dt>Items</dt>
          <dd data-testid="queue-total">{formatCount(queue.total_items)}</dd>
        </div>
        <div>
          <dt>Done</dt>
          <dd data-testid="queue-done">{formatCount(queue.done_items)}</dd>
        </div>
        <div>
          <dt>Waiting in the queue</dt>
          <dd data-testid="queue-open">{formatCount(queue.open_items)}</dd>
        </div>
        <div>
          <dt>Being labeled now</dt>
          <dd data-testid="queue-leased">{formatCount(queue.leased_items)}</dd>
        </div>
        <div>
          <dt>Audit items</dt>
          <dd data-testid="queue-audit">{formatCount(queue.audit_items)}</dd>
        </div>
      </dl>
      <div>
        <progress value={queue.done_items} max={Math.max(1, queue.total_items)} aria-label="Items done" />
        <p className="hint">{formatPercent(share)} of the items have all the labels they need.</p>
      </div>
    </div>
  );
}
