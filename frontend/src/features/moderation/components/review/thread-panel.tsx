import { useState } from "react";

import { formatDateTime } from "@/lib/format";

import type { ContentDetail, ThreadEntry } from "../../types";
import { stateLabel } from "../../types";
import { MaskedText } from "./masked-text";

const THREAD_TEXT_SHOWN = 280;

function shortText(entry: ThreadEntry): string {
  if (entry.text === null || entry.text === undefined) return entry.has_image ? "(an image)" : "(no text)";
  return entry.text.length > THREAD_TEXT_SHOWN ? `${entry.text.slice(0, THREAD_TEXT_SHOWN)}…` : entry.text;
}

type ThreadMessageProps = { entry: ThreadEntry; role: "ancestor" | "sibling"; hideFlaggedTerms: boolean };

/** One message of the conversation: who wrote it (the platform's display name, else the id), its
 * state and text. Everything is text, never markup: the platform's users wrote it. With "hide
 * flagged terms" on, the words its policy's text banks flag stay masked until clicked (the whole
 * message is shown then, as the content's own masked text is). */
function ThreadMessage({ entry, role, hideFlaggedTerms }: ThreadMessageProps) {
  const [revealed, setRevealed] = useState(false);
  const segments = entry.flagged_segments ?? [];
  const masked = hideFlaggedTerms && segments.length > 0 && Boolean(entry.text);
  return (
    <li className="thread-message" data-testid={`thread-${role}`} data-content-id={entry.id}>
      <div className="hint">
        <bdi className="break-anywhere">{entry.author_name ?? entry.author_id ?? "unknown author"}</bdi> ·{" "}
        <span data-testid="thread-state">{stateLabel(entry.state)}</span> · {formatDateTime(entry.created_at)}
      </div>
      {masked ? (
        <MaskedText
          segments={segments}
          revealed={revealed}
          onReveal={() => setRevealed(true)}
          className="break-anywhere thread-text"
          testId="thread-text"
        />
      ) : (
        <div className="break-anywhere thread-text" data-testid="thread-text">
          {shortText(entry)}
        </div>
      )}
    </li>
  );
}

/**
 * The conversation around the content: what it answers (up to five messages up, the parent last)
 * and the replies nearest to it under the same parent, with the content's own place marked.
 * Only the platform's content under policies the moderator may see is listed.
 */
export function ThreadPanel({ content, hideFlaggedTerms = false }: { content: ContentDetail; hideFlaggedTerms?: boolean }) {
  const thread = content.thread;
  if (!thread.parent_id && thread.siblings.length === 0) return null;
  const before = thread.siblings.slice(0, thread.position);
  const after = thread.siblings.slice(thread.position);
  return (
    <section aria-labelledby="review-thread-heading" data-testid="review-thread">
      <h3 id="review-thread-heading">Thread</h3>
      {thread.parent_missing ? (
        <p className="hint" data-testid="thread-parent-missing">
          Replies to <bdi className="break-anywhere">{thread.parent_id}</bdi>, which is not among the content you may
          see.
        </p>
      ) : null}
      <ol className="plain-list thread-list">
        {thread.ancestors.map((entry) => (
          <ThreadMessage key={entry.id} entry={entry} role="ancestor" hideFlaggedTerms={hideFlaggedTerms} />
        ))}
      </ol>
      {thread.siblings.length > 0 ? <h4 className="hint">Other replies</h4> : null}
      <ol className="plain-list thread-list thread-replies">
        {before.map((entry) => (
          <ThreadMessage key={entry.id} entry={entry} role="sibling" hideFlaggedTerms={hideFlaggedTerms} />
        ))}
        {thread.siblings.length > 0 ? (
          <li className="thread-message thread-current" data-testid="thread-current">
            <strong>This content</strong>
          </li>
        ) : null}
        {after.map((entry) => (
          <ThreadMessage key={entry.id} entry={entry} role="sibling" hideFlaggedTerms={hideFlaggedTerms} />
        ))}
      </ol>
    </section>
  );
}
