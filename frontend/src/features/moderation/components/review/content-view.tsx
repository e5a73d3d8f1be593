import type { RefObject } from "react";

import { apiUrl } from "@/lib/api-client";

import type { ContentDetail } from "../../types";

type ContentViewProps = {
  /** The content's own scroll box (the review panel pages it with PageDown / Space). */
  contentRef?: RefObject<HTMLDivElement | null>;
  content: ContentDetail;
  revealed: boolean;
  grayscale: boolean;
  onReveal: () => void;
  onToggleGrayscale: () => void;
};

/** The full image, streamed by the audited endpoint (each reveal is recorded on the server). */
export function fullImageUrl(content: ContentDetail): string {
  return content.image_url ?? apiUrl(`/moderation/contents/${content.id}/image/`);
}

/**
 * The content under review. Text is shown as plain text, exactly as posted. An image is shown as
 * the server's blurred thumbnail until the moderator reveals it; only then is the full image
 * requested (through the audited endpoint). Grayscale takes the colour out of either.
 */
export function ContentView({ contentRef, content, revealed, grayscale, onReveal, onToggleGrayscale }: ContentViewProps) {
  const imageClass = grayscale ? " review-image-grayscale" : "";
  const contextEntries =
    typeof content.context === "object" && content.context !== null ? Object.entries(content.context) : [];
  return (
    <div
      ref={contentRef}
      className="stack review-content"
      tabIndex={0}
      role="region"
      aria-label="Content under review"
      data-testid="review-content"
    >
      {content.text ? (
        <p className="review-text" data-testid="review-text">
          {content.text}
        </p>
      ) : null}
      {content.has_image ? (
        <figure className="stack" data-testid="review-image-figure" data-revealed={revealed ? "1" : "0"}>
          {revealed ? (
            <img
              className={`review-image${imageClass}`}
              src={fullImageUrl(content)}
              alt="The posted image, revealed"
              data-testid="review-image-full"
            />
          ) : content.blurred_thumbnail_url ? (
            <img
              className={`review-image review-image-blurred${imageClass}`}
              src={content.blurred_thumbnail_url}
              alt="The posted image, blurred until revealed"
              data-testid="review-image-blurred"
            />
          ) : (
            <p className="hint" data-testid="review-image-blurred">
              An image is attached; it stays hidden until you reveal it.
            </p>
          )}
          <figcaption className="button-group">
            <button type="button" className="btn btn-small" onClick={onReveal} data-testid="reveal-image">
              {revealed ? "Blur again" : "Reveal image"} <kbd>v</kbd>
            </button>
            <button
              type="button"
              className="btn btn-small"
              aria-pressed={grayscale}
              onClick={onToggleGrayscale}
              data-testid="toggle-grayscale"
            >
              Grayscale <kbd>g</kbd>
            </button>
          </figcaption>
        </figure>
      ) : null}
      {contextEntries.length > 0 ? (
        <dl className="facts" data-testid="review-context">
          {contextEntries.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd className="break-anywhere">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
