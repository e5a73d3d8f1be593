import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime, formatPercent } from "@/lib/format";

import { useItem } from "../api/get-item";
import { SOURCE_LABELS, SPLIT_LABELS } from "../types";
import { labelsText } from "./annotation-labels";
import { ItemContent } from "./item-content";

export function ItemDetail({ projectId, itemId }: { projectId: number; itemId: number }) {
  const item = useItem({ projectId, itemId });
  if (item.isPending) return <Loading label="Loading the item…" />;
  if (item.isError) return <ErrorMessage error={item.error} title="Could not load the item" />;
  const data = item.data;
  const metadata = data.metadata && typeof data.metadata === "object" ? Object.entries(data.metadata) : [];
  return (
    <article className="stack" aria-labelledby="item-heading">
      <h2 id="item-heading" className="break-anywhere">Item {data.external_id}</h2>
      <div className="card">
        <ItemContent item={data} maxChars={Number.POSITIVE_INFINITY} imageSize="full" />
      </div>
      <dl className="facts">
        <div>
          <dt>Split</dt>
          <dd>{data.split ? SPLIT_LABELS[data.split] : "—"}</dd>
        </div>
        {labelsText(data.predicted_label) ? (
          <div>
            <dt>Model proposal</dt>
            <dd data-testid="item-proposal">
              {labelsText(data.predicted_label)}
              {typeof data.confidence === "number" ? ` (${formatPercent(data.confidence, 0)})` : null}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Added</dt>
          <dd>{formatDateTime(data.created_at)}</dd>
        </div>
      </dl>
      <section aria-labelledby="item-annotations-heading">
        <h3 id="item-annotations-heading">Annotations</h3>
        {data.annotations.length === 0 ? (
          <p className="hint">None yet.</p>
        ) : (
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Labels</th>
                <th scope="col">Source</th>
                <th scope="col">Annotator</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {data.annotations.map((annotation) => (
                <tr key={annotation.id}>
                  <td>{labelsText(annotation.labels)}</td>
                  <td>{annotation.source ? SOURCE_LABELS[annotation.source] : "—"}</td>
                  <td>{annotation.annotator ?? "—"}</td>
                  <td>{formatDateTime(annotation.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {metadata.length > 0 ? (
        <section aria-labelledby="item-metadata-heading">
          <h3 id="item-metadata-heading">Metadata</h3>
          <dl className="metadata">
            {metadata.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd className="pre-wrap">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
    </article>
  );
}
