import { type RefObject, useEffect } from "react";

/** Every video and audio element inside `container` starts muted when `muted` (auto-mute). */
export function useMutedMedia(container: RefObject<HTMLElement | null>, muted: boolean, key: unknown): void {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    for (const media of root.querySelectorAll<HTMLMediaElement>("video, audio")) {
      media.muted = muted;
      media.defaultMuted = muted;
    }
  }, [container, muted, key]);
}
