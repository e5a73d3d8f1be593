import type { TextSegment } from "../../types";
import { maskFor } from "../../utils/wellness";

type MaskedTextProps = {
  segments: TextSegment[];
  revealed: boolean;
  onReveal: () => void;
  /** The paragraph's class and test id (the review panel's text by default). */
  className?: string;
  testId?: string;
};

/**
 * A text whose flagged pieces (where a rule hit matches) stay masked until the moderator
 * reveals them: a masked piece is a button of block characters, its letters are not on the page.
 * Clicking any mask reveals them all (one reveal, recorded on the server).
 */
export function MaskedText({
  segments,
  revealed,
  onReveal,
  className = "review-text",
  testId = "review-text",
}: MaskedTextProps) {
  return (
    <p className={className} data-testid={testId} data-masked={revealed ? "0" : "1"}>
      {segments.map((segment, index) =>
        !segment.flagged ? (
          <span key={index}>{segment.text}</span>
        ) : revealed ? (
          <mark key={index} className="flagged-term" data-testid="flagged-term">
            {segment.text}
          </mark>
        ) : (
          <button
            key={index}
            type="button"
            className="flagged-mask"
            onClick={onReveal}
            aria-label="Flagged words, hidden: reveal"
            title="Flagged words, hidden: click to reveal"
            data-testid="flagged-mask"
          >
            {maskFor(segment.text)}
          </button>
        ),
      )}
    </p>
  );
}
