import { useState } from "react";

import type { QueueStats } from "../types";
import { modelNoticeText } from "../utils/model-notice";

/**
 * A quiet line when a new model version goes live while the person works (its proposals are
 * then on the next items). The version in production when the page opened is the baseline.
 */
export function ModelNotice({ stats }: { stats: QueueStats | undefined }) {
  const [baseline, setBaseline] = useState<number | null | undefined>(undefined);
  const [dismissed, setDismissed] = useState<number | null>(null);
  // Adjusting state while rendering (React's pattern for "remember the first value seen").
  if (stats && baseline === undefined) setBaseline(stats.model?.version ?? null);

  const model = stats?.model;
  const show = model && baseline !== undefined && model.version !== baseline && dismissed !== model.version;
  return (
    <div className="model-notice-region" role="status" aria-live="polite">
      {show ? (
        <p className="model-notice" data-testid="model-notice">
          <span>{modelNoticeText(model)}</span>
          <button type="button" className="btn-link btn-small" onClick={() => setDismissed(model.version)}>
            Dismiss
          </button>
        </p>
      ) : null}
    </div>
  );
}
