import type { AssignmentItem } from "../types";
import { isolate } from "@/lib/bidi";

type ItemViewProps = {
  item: AssignmentItem;
  zoomed: boolean;
};

/**
 * The item itself. Text is user content: a React text node (escaped, never parsed as HTML) with
 * its own line breaks and spaces kept. Images fit the screen unless zoomed to full size.
 */
export function ItemView({ item, zoomed }: ItemViewProps) {
  if (item.image_url) {
    return (
      <div className={zoomed ? "annotate-image-frame zoomed" : "annotate-image-frame"} data-testid="annotate-image-frame">
        <img
          src={item.image_url}
          alt={`Item ${isolate(item.external_id)}`}
          className="annotate-image"
          data-testid="annotate-image"
          data-zoomed={zoomed}
          decoding="sync"
        />
      </div>
    );
  }
  return (
    <div className="annotate-text" data-testid="annotate-item-text">
      {item.text ?? ""}
    </div>
  );
}
