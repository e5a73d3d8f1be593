import type { Item } from "../types";
import { isolate } from "@/lib/bidi";

const DEFAULT_MAX_CHARS = 2000;

type ItemContentProps = {
  item: Item;
  /** Long texts are cut in lists; pass Infinity to show everything. */
  maxChars?: number;
  imageSize?: "thumbnail" | "full";
};

/**
 * An item's content. Text is user-supplied and may contain markup: it is always rendered as a
 * React text node (escaped), never as HTML, and line breaks are kept by CSS (pre-wrap).
 */
export function ItemContent({ item, maxChars = DEFAULT_MAX_CHARS, imageSize = "thumbnail" }: ItemContentProps) {
  const src = imageSize === "thumbnail" ? (item.thumbnail ?? item.image) : (item.image ?? item.thumbnail);
  if (src) {
    const img = (
      <img
        src={src}
        alt={`Item ${isolate(item.external_id)}`}
        loading="lazy"
        className={imageSize === "thumbnail" ? "thumbnail" : "item-image"}
      />
    );
    return item.image && imageSize === "thumbnail" ? <a href={item.image}>{img}</a> : img;
  }
  const text = item.text ?? "";
  const cut = text.length > maxChars;
  return (
    <div className="item-text" data-testid="item-text">
      {cut ? text.slice(0, maxChars) : text}
      {cut ? (
        <span className="hint"> … ({(text.length - maxChars).toLocaleString()} more characters)</span>
      ) : null}
    </div>
  );
}
