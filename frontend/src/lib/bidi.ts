/**
 * People's text (names, ids, messages quoting them) placed inside a sentence of plain text: a
 * confirm dialog, an alt or title attribute. First-strong isolate marks keep a right-to-left
 * override in it (U+202E) from reordering the words around it. In JSX use `<bdi>` instead.
 */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
