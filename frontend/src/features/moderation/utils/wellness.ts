import type { BlurStrength, WellnessValues } from "../types";

/** Pixels of blur the review panel adds for each strength (over the server's blurred thumbnail too). */
export const BLUR_PIXELS: Record<BlurStrength, number> = { none: 0, light: 6, strong: 16 };

export const BLUR_LABELS: Record<BlurStrength, string> = {
  none: "None",
  light: "Light",
  strong: "Strong",
};

type Look = Pick<WellnessValues, "blur" | "grayscale" | "sepia">;

/** The colour part of the filter (kept while a revealed image is looked at): grayscale, sepia. */
export function toneFilter({ grayscale, sepia }: Pick<Look, "grayscale" | "sepia">): string {
  const parts = [grayscale ? "grayscale(1)" : "", sepia ? "sepia(1)" : ""].filter(Boolean);
  return parts.length ? parts.join(" ") : "none";
}

/**
 * The CSS filter of an image in the review panel. `veiled`: blurred as the settings say (a blurred
 * thumbnail always; a revealed image until the pointer rests on it or it is clicked).
 */
export function mediaFilter(look: Look, { veiled }: { veiled: boolean }): string {
  const pixels = veiled ? BLUR_PIXELS[look.blur] : 0;
  const tone = toneFilter(look);
  if (pixels === 0) return tone;
  return tone === "none" ? `blur(${pixels}px)` : `blur(${pixels}px) ${tone}`;
}

/** Whether a break reminder is due after `seconds` of active time on graphic content. */
export function breakDue(seconds: number, minutes: number): boolean {
  return minutes > 0 && seconds >= minutes * 60;
}

/** "1 h 05 min", "25 min", "40 s": how long, for the reminder. */
export function formatActiveTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Block characters standing in for a masked flagged piece (never its letters), at most 12. */
export function maskFor(text: string): string {
  return "█".repeat(Math.min(Math.max([...text].length, 3), 12));
}
