/** Line breaks and runs of spaces folded into one space, cut at `maxChars` with an ellipsis. */
export function previewText(text: string, maxChars: number): string {
  const folded = text.replace(/\s+/g, " ").trim();
  return folded.length > maxChars ? `${folded.slice(0, maxChars).trimEnd()}…` : folded;
}
