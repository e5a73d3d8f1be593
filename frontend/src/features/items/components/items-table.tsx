import { Link } from "react-router";

import { formatPercent } from "@/lib/format";

import { type Item, SPLIT_LABELS } from "../types";
import { AnnotationLabels, labelsText } from "./annotation-labels";
import { ItemContent } from "./item-content";

/** The model's predicted label and how sure it is, or a dash before any model has scored the item. */
function Proposal({ item }: { item: Item }) {
  const label = labelsText(item.predicted_label);
  if (!label) return <span className="hint">—</span>;
  return (
    <>
      {label}
      {typeof item.confidence === "number" ? <span className="hint"> ({formatPercent(item.confidence, 0)})</span> : null}
    </>
  );
}

type ItemsTableProps = {
  items: Item[];
  /** Where an item's own page is; the table does not know the app's routes. */
  itemHref: (item: Item) => string;
};

export function ItemsTable({ items, itemHref }: ItemsTableProps) {
  if (items.length === 0) {
    return <p data-testid="items-empty">No items match.</p>;
  }
  return (
    <table className="table items-table" data-testid="items-table">
      <thead>
        <tr>
          <th scope="col">ID</th>
          <th scope="col">Content</th>
          <th scope="col">Split</th>
          <th scope="col">Labels</th>
          <th scope="col">Proposal</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.id} data-testid="item-row">
            <th scope="row" className="item-id">
              <Link to={itemHref(item)}>{item.external_id}</Link>
            </th>
            <td>
              <ItemContent item={item} maxChars={400} previewLines={3} />
            </td>
            <td>{item.split ? SPLIT_LABELS[item.split] : "—"}</td>
            <td>
              <AnnotationLabels annotations={item.annotations} />
            </td>
            <td className="nowrap" data-testid="item-proposal">
              <Proposal item={item} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
