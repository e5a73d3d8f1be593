import type { AssignmentItem } from "../types";
import { isolate } from "@/lib/bidi";

type ItemViewProps = {
  item: AssignmentItem;
  zoomed: boolean;
  /** For a media-restricted item: whether the person chose to see the full image. */
  revealed?: boolean;
};

/**
 * The item itself. Text is user content: a React text node (escaped, never parsed as HTML) with
 * its own line breaks and spaces kept. Images fit the screen unless zoomed to full size.
 *
 * A media-restricted image (moderated content) shows the server's blurred thumbnail until the
 * person reveals it; only then is the full image requested, and the server records that fetch.
 */
export function ItemView({ item, zoomed, revealed = false }: ItemViewProps) {
  if (item.image_url && item.media_restricted && !revealed) {
    return (
      <div className="annotate-image-frame" data-testid="annotate-image-frame">
        {item.thumbnail_url ? (
          <img
            src={item.thumbnail_url}
            alt={`Item ${isolate(item.external_id)}, blurred until revealed`}
            className="annotate-image annotate-image-blurred"
            data-testid="annotate-image-blurred"
          />
        ) : (
          <p className="hint" data-testid="annotate-image-blurred">
            The image stays hidden until you reveal it.
          </p>
        )}
      </div>
    );
  }
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
