import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { useAuthorRecord } from "../../api/search";
import { SANCTION_LABELS } from "../../types";
import { AuthorStrikes } from "../review/context-panels";
import { ContentSearch } from "../search/content-search";

/** An author: their strikes and the actions taken on them, then everything they posted (with the
 * decisions and appeals), searchable and open to bulk actions. */
export function AuthorPage({ authorId }: { authorId: number }) {
  const record = useAuthorRecord(authorId);
  if (record.isPending) return <Loading label="Loading the author…" />;
  if (record.isError) return <ErrorMessage error={record.error} title="Could not load this author" />;
  const author = record.data;
  return (
    <div className="stack" data-testid="author-page">
      <section className="card stack" aria-labelledby="author-heading">
        <h2 id="author-heading">
          Author <bdi className="break-anywhere">{author.external_id}</bdi>{" "}
          <span className="hint">on {author.platform}</span>
        </h2>
        <AuthorStrikes author={author} />
        {author.actions.length > 0 ? (
          <>
            <h3>Actions</h3>
            <ul className="plain-list" data-testid="author-actions">
              {author.actions.map((action) => (
                <li key={action.id}>
                  {SANCTION_LABELS[action.kind]} · {formatDateTime(action.created_at)}
                  {action.lifted_at ? <span className="hint"> · lifted {formatDateTime(action.lifted_at)}</span> : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <h2>Content</h2>
      <ContentSearch fixed={{ author: authorId }} searchAtOnce />
    </div>
  );
}
