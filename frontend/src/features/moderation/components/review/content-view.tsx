import { type RefObject, useEffect, useRef, useState } from "react";

import { apiUrl } from "@/lib/api-client";

import { useMutedMedia } from "../../hooks/use-muted-media";
import type { BlurStrength, ContentDetail } from "../../types";
import { mediaFilter } from "../../utils/wellness";
import { MaskedText } from "./masked-text";

/** How the moderator's wellness settings show the content (grayscale may be toggled with `g`). */
export type ContentLook = {
  blur: BlurStrength;
  grayscale: boolean;
  sepia: boolean;
  hideFlaggedTerms: boolean;
  muteMedia: boolean;
};

export const PLAIN_LOOK: ContentLook = {
  blur: "none",
  grayscale: false,
  sepia: false,
  hideFlaggedTerms: false,
  muteMedia: true,
};

type ContentViewProps = {
  /** The content's own scroll box (the review panel pages it with PageDown / Space). */
  contentRef?: RefObject<HTMLDivElement | null>;
  content: ContentDetail;
  revealed: boolean;
  look: ContentLook;
  textRevealed: boolean;
  onReveal: () => void;
  onRevealText: () => void;
  onToggleGrayscale: () => void;
  /** The full image arrived (the server has counted the reveal). */
  onImageShown?: () => void;
};

/** How long the pointer rests on a revealed image before its blur lifts. */
export const HOVER_REST_MS = 400;

/** The full image, streamed by the audited endpoint (each reveal is recorded on the server). */
export function fullImageUrl(content: ContentDetail): string {
  return content.image_url ?? apiUrl(`/moderation/contents/${content.id}/image/`);
}

/**
 * The content under review. Text is shown as plain text, exactly as posted; with "hide flagged
 * terms" on, the pieces rules flagged stay masked until revealed. An image is shown as the
 * server's blurred thumbnail until the moderator reveals it; only then is the full image
 * requested (through the audited endpoint). The moderator's blur strength blurs either further
 * (a revealed image until the pointer rests on it or it is clicked); grayscale and sepia take
 * the colour out.
 */
export function ContentView({
  contentRef,
  content,
  revealed,
  look,
  textRevealed,
  onReveal,
  onRevealText,
  onToggleGrayscale,
  onImageShown,
}: ContentViewProps) {
  const [unveiled, setUnveiled] = useState(false);
  const [hovering, setHovering] = useState(false);
  // The blur lifts once the pointer *rests* on the image: one passing over it (or the image
  // appearing under it on reveal) does not unblur it.
  const restTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(restTimer.current), []);
  const pointerIn = () => {
    window.clearTimeout(restTimer.current);
    restTimer.current = window.setTimeout(() => setHovering(true), HOVER_REST_MS);
  };
  const pointerOut = () => {
    window.clearTimeout(restTimer.current);
    setHovering(false);
  };
  useMutedMedia(contentRef ?? { current: null }, look.muteMedia, content.id);
  const imageClass = look.grayscale ? " review-image-grayscale" : "";
  const thumbnailFilter = mediaFilter(look, { veiled: true });
  const fullFilter = mediaFilter(look, { veiled: !unveiled && !hovering });
  const contextEntries =
    typeof content.context === "object" && content.context !== null ? Object.entries(content.context) : [];
  const segments = content.flagged_segments ?? [];
  const masked = look.hideFlaggedTerms && segments.length > 0;
  return (
    <div
      ref={contentRef}
      className="stack review-content"
      tabIndex={0}
      role="region"
      aria-label="Content under review"
      data-testid="review-content"
      data-graphic={content.graphic ? "1" : "0"}
    >
      {content.graphic ? (
        <p className="hint graphic-note" data-testid="review-graphic">
          Graphic content: revealing it counts towards today's exposure.
        </p>
      ) : null}
      {content.text && masked ? (
        <MaskedText segments={segments} revealed={textRevealed} onReveal={onRevealText} />
      ) : content.text ? (
        <p className="review-text" data-testid="review-text">
          {content.text}
        </p>
      ) : null}
      {content.has_image ? (
        <figure className="stack" data-testid="review-image-figure" data-revealed={revealed ? "1" : "0"}>
          {revealed ? (
            <img
              className={`review-image review-image-full${imageClass}`}
              src={fullImageUrl(content)}
              alt="The posted image, revealed"
              data-testid="review-image-full"
              data-unveiled={unveiled ? "1" : "0"}
              style={{ filter: fullFilter }}
              onMouseEnter={pointerIn}
              onMouseLeave={pointerOut}
              onClick={() => setUnveiled((value) => !value)}
              onLoad={onImageShown}
            />
          ) : content.blurred_thumbnail_url ? (
            <img
              className={`review-image review-image-blurred${imageClass}`}
              src={content.blurred_thumbnail_url}
              alt="The posted image, blurred until revealed"
              data-testid="review-image-blurred"
              style={{ filter: thumbnailFilter }}
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
              aria-pressed={look.grayscale}
              onClick={onToggleGrayscale}
              data-testid="toggle-grayscale"
            >
              Grayscale <kbd>g</kbd>
            </button>
            {revealed && look.blur !== "none" ? (
              <span className="hint">Point at the image or click it to see it unblurred.</span>
            ) : null}
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
