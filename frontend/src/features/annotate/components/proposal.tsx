import { formatPercent } from "@/lib/format";

import type { Suggestion } from "../types";

type ProposalProps = {
  suggestion: Suggestion | null;
  mode: "choose" | "reject";
};

/** The model's proposal for the item, with how sure it is, or that there is none. */
export function Proposal({ suggestion, mode }: ProposalProps) {
  if (!suggestion || suggestion.labels.length === 0) {
    return (
      <div className="proposal" data-testid="proposal" data-state="none">
        <span>No proposal for this item.</span>
        <span className="hint">Pick a label with its key.</span>
      </div>
    );
  }
  return (
    <div className="proposal" data-testid="proposal" data-state="proposal" data-mode={mode}>
      <span>{suggestion.source === "zero-shot" ? "Proposed" : "Model proposes"}</span>
      <span className="proposal-label" data-testid="proposal-labels">
        {suggestion.labels.join(", ")}
      </span>
      <span data-testid="proposal-confidence">
        {suggestion.confidence === null ? "confidence unknown" : `${formatPercent(suggestion.confidence, 0)} confident`}
      </span>
      {suggestion.source === "zero-shot" ? (
        <span className="hint" data-testid="proposal-source" title="No model yet: the label class this item is most similar to">
          zero-shot
        </span>
      ) : suggestion.model_version !== null ? (
        <span className="hint" data-testid="proposal-source">
          model v{suggestion.model_version}
        </span>
      ) : null}
      {mode === "reject" ? (
        <strong data-testid="reject-mode">Rejected: pick the right label</strong>
      ) : (
        <span className="hint">
          <kbd>a</kbd> accept · <kbd>x</kbd> reject
        </span>
      )}
    </div>
  );
}
