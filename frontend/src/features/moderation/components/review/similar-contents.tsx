import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { formatDateTime, formatPercent } from "@/lib/format";

import { useSimilarContents } from "../../api/get-similar-contents";
import { stateLabel } from "../../types";

type SimilarContentsPanelProps = {
  contentId: number;
  /** Keep the neighbours' texts out of view (flagged terms hidden until the text is revealed). */
  hideTexts: boolean;
};

/**
 * "Similar content": the contents nearest this one by embedding (an approximate nearest-neighbour
 * index on the server), pending or decided, from the policies the moderator may moderate, with
 * how similar each is. Their texts follow the panel's "hide flagged terms": hidden until the
 * moderator reveals this content's text.
 */
export function SimilarContentsPanel({ contentId, hideTexts }: SimilarContentsPanelProps) {
  const similar = useSimilarContents(contentId);
  const [shown, setShown] = useState(false);
  const rows = similar.data?.contents ?? [];
  const hidden = hideTexts && !shown;
  return (
    <section aria-labelledby="review-similar-contents-heading" data-testid="review-similar-contents">
      <h3 id="review-similar-contents-heading">Similar content</h3>
      {similar.isPending ? <p className="hint">Looking for similar content…</p> : null}
      {similar.isError ? <ErrorMessage error={similar.error} title="Could not look for similar content" /> : null}
      {similar.isSuccess && rows.length === 0 ? (
        <p className="hint" data-testid="similar-empty">
          None yet: similar content appears once this content and others of the policy are embedded (the project&apos;s
          embedding job runs after intake).
        </p>
      ) : null}
      {similar.isSuccess && !similar.data.exact && rows.length > 0 ? (
        <p className="hint">From the fast first-pass vectors while the exact ones are computed.</p>
      ) : null}
      {rows.length > 0 && hidden ? (
        <p className="hint" data-testid="similar-texts-hidden">
          Texts hidden (flagged terms are hidden until revealed).{" "}
          <button type="button" className="btn-link btn-small" onClick={() => setShown(true)}>
            Show texts
          </button>
        </p>
      ) : null}
      <ul className="plain-list">
        {rows.map((row) => (
          <li key={row.id} data-testid="similar-content" data-content-id={row.id}>
            <span className="break-anywhere">{row.external_id}</span>{" "}
            <span className="hint">
              · {stateLabel(row.state)}
              {row.category ? ` · ${row.category}` : ""} · similarity{" "}
              <span data-testid="similar-score">{formatPercent(row.score, 0)}</span> · {formatDateTime(row.created_at)}
            </span>
            {row.excerpt && !hidden ? (
              <div className="hint break-anywhere" data-testid="similar-excerpt">
                {row.excerpt}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
