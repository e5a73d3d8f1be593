import { Loading } from "@/components/ui/loading";
import { ApiError } from "@/lib/api-client";
import { formatDecimal } from "@/lib/format";

import { useSimilarItems } from "../api/get-similar-items";
import type { SimilarItem } from "../types";

type SimilarItemsPanelProps = {
  projectId: number;
  /** The item on screen (null: none). */
  itemId: number | null;
  onClose: () => void;
};

/**
 * The items most like the one on screen, nearest first: what they say (or their thumbnail), how
 * they were labeled and what the model predicts. Beside the item, so the proposal and the action
 * keys below stay where they are; `n` opens and closes it.
 */
export function SimilarItemsPanel({ projectId, itemId, onClose }: SimilarItemsPanelProps) {
  const query = useSimilarItems({ projectId, itemId, enabled: itemId !== null });

  return (
    <aside className="similar-panel" aria-labelledby="similar-panel-title" data-testid="similar-panel">
      <div className="similar-panel-header">
        <h2 id="similar-panel-title">Similar items</h2>
        <button type="button" className="btn-link btn-small" onClick={onClose}>
          Close <kbd>n</kbd>
        </button>
      </div>
      <div className="similar-panel-body">
        <SimilarItemsBody query={query} itemId={itemId} />
      </div>
    </aside>
  );
}

type Query = ReturnType<typeof useSimilarItems>;

function SimilarItemsBody({ query, itemId }: { query: Query; itemId: number | null }) {
  if (itemId === null) {
    return <p className="hint">No item on screen.</p>;
  }
  if (query.isPending) {
    return <Loading label="Finding similar items…" />;
  }
  if (query.isError) {
    const busy = query.error instanceof ApiError && query.error.status === 503;
    return (
      <div className="alert alert-error" role="alert" data-testid="similar-error">
        <p>
          {busy
            ? query.error.message
            : `Could not load similar items: ${query.error.message}. Labeling works without them.`}
        </p>
        <button type="button" className="btn-small" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  const { data } = query;
  if (data.embedder === "") {
    return (
      <div data-testid="similar-empty" data-reason="not-embedded">
        <p>This item has no embedding yet, so nothing can be compared with it.</p>
        <p className="hint">
          Items are embedded in the background seconds after an import; try again shortly.
        </p>
        <button type="button" className="btn-small" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (data.items.length === 0) {
    return (
      <p data-testid="similar-empty" data-reason="alone">
        No other item of this project has an embedding yet. Import more items, or try again once they are embedded.
      </p>
    );
  }
  return (
    <>
      {!data.exact ? (
        <p className="hint" data-testid="similar-approximate">
          From the quick first-pass vectors while the project is still being embedded; closer matches follow.
        </p>
      ) : null}
      {data.labels_hidden ? (
        <p className="hint" data-testid="similar-labels-hidden">
          Several people label each item here, each without seeing the others&apos; labels, so these show none.
        </p>
      ) : null}
      <ol className="similar-list" data-testid="similar-list">
        {data.items.map((item) => (
          <SimilarEntry key={item.id} item={item} labelsHidden={data.labels_hidden} />
        ))}
      </ol>
    </>
  );
}

function SimilarEntry({ item, labelsHidden }: { item: SimilarItem; labelsHidden: boolean }) {
  return (
    <li className="similar-entry" data-testid="similar-entry" data-item-id={item.id}>
      <div className="similar-entry-meta">
        <span className="similar-score" title="Cosine similarity to the item on screen (1 = the same)">
          {formatDecimal(item.similarity, 2)}
        </span>
        {item.labels.length > 0 ? (
          <span className="similar-labels" data-testid="similar-labels">
            {item.labels.join(", ")}
          </span>
        ) : labelsHidden ? null : (
          <span className="hint">unlabeled</span>
        )}
        {item.predicted_label ? (
          <span className="hint" data-testid="similar-predicted">
            model: {item.predicted_label}
          </span>
        ) : null}
      </div>
      {item.thumbnail ? (
        <img
          className="similar-thumbnail"
          src={item.thumbnail}
          alt={`Thumbnail of item ${item.external_id}`}
          loading="lazy"
        />
      ) : (
        <p className="similar-excerpt" data-testid="similar-excerpt">
          {item.excerpt ?? ""}
        </p>
      )}
    </li>
  );
}
