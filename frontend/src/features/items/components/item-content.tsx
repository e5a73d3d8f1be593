import { useState } from "react";

import type { Item } from "../types";
import { previewText } from "../utils/preview-text";
import { isolate } from "@/lib/bidi";

const DEFAULT_MAX_CHARS = 2000;

type ItemContentProps = {
  item: Item;
  /** Long texts are cut in lists; pass Infinity to show everything. */
  maxChars?: number;
  imageSize?: "thumbnail" | "full";
  /** A preview in a list: line breaks folded into spaces, at most this many lines shown. */
  previewLines?: number;
};

/**
 * An item's content. Text is user-supplied and may contain markup: it is always rendered as a
 * React text node (escaped), never as HTML, and line breaks are kept by CSS (pre-wrap).
 *
 * A media-restricted image (moderated content) is shown as its blurred thumbnail; the full image
 * is only requested when the person reveals it (the server records each such fetch).
 */
export function ItemContent({
  item,
  maxChars = DEFAULT_MAX_CHARS,
  imageSize = "thumbnail",
  previewLines,
}: ItemContentProps) {
  if (item.image && item.media_restricted) {
    return <RestrictedImage item={item} canReveal={imageSize === "full"} />;
  }
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
  if (previewLines !== undefined) return <TextPreview text={text} lines={previewLines} maxChars={maxChars} />;
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

/**
 * The start of a text in a few lines, so a list shows many items per screen (an email's 600
 * characters were a screen each). The whole text is on the item's page.
 */
function TextPreview({ text, lines, maxChars }: { text: string; lines: number; maxChars: number }) {
  const folded = previewText(text, maxChars);
  return (
    <div
      className="item-text-preview"
      style={{ WebkitLineClamp: lines }}
      title={folded.length < text.length ? "Open the item to read all of it" : undefined}
      data-testid="item-text"
    >
      {folded}
    </div>
  );
}

function RestrictedImage({ item, canReveal }: { item: Item; canReveal: boolean }) {
  const [revealed, setRevealed] = useState(false);
  const image =
    revealed && item.image ? (
      <img src={item.image} alt={`Item ${isolate(item.external_id)}, revealed`} className="item-image" data-testid="item-image-full" />
    ) : item.thumbnail ? (
      <img
        src={item.thumbnail}
        alt={`Item ${isolate(item.external_id)}, blurred until revealed`}
        loading="lazy"
        className={canReveal ? "item-image-blurred" : "thumbnail"}
        data-testid="item-image-blurred"
      />
    ) : (
      <span className="hint" data-testid="item-image-blurred">
        Image hidden
      </span>
    );
  if (!canReveal) return image;
  return (
    <figure className="stack item-image-figure">
      {image}
      <figcaption>
        <button type="button" className="btn btn-small" onClick={() => setRevealed((shown) => !shown)} data-testid="item-reveal">
          {revealed ? "Blur again" : "Reveal image"}
        </button>{" "}
        <span className="hint">Revealing is recorded in the audit log.</span>
      </figcaption>
    </figure>
  );
}
