import { formatCount, formatDecimal } from "@/lib/format";

type Interval = number[] | null | undefined;

/**
 * A held-out score with its 95 % interval and the number of items, e.g. "0.81 (0.62–0.92, n=19)".
 * Without an interval (versions trained before intervals were recorded, or an undefined one) the
 * score stands alone with its n; without a score, "—".
 */
export function scoreWithInterval(value: number | null | undefined, interval: Interval, n?: number | null): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  const items = typeof n === "number" ? `n=${formatCount(n)}` : "";
  if (interval && interval.length === 2) {
    const [low, high] = interval;
    return `${formatDecimal(value, 2)} (${formatDecimal(low, 2)}–${formatDecimal(high, 2)}${items ? `, ${items}` : ""})`;
  }
  return items ? `${formatDecimal(value, 2)} (${items})` : formatDecimal(value, 2);
}

/** The label sources in the order they are reported, with the words for each. */
export const LABEL_SOURCE_WORDS: [source: string, words: string][] = [
  ["import", "imported"],
  ["human", "by annotators"],
  ["moderation", "from moderation"],
  ["appeal", "from appeals"],
  ["auto", "automatic"],
];

/**
 * What a version was trained on, by label source: "328 labels: 328 imported, 0 by annotators, 0 from
 * moderation, 0 from appeals". Versions trained before sources were counted say what they have.
 */
export function trainedOnText({
  labelCount,
  trainN,
  sources,
}: {
  labelCount: number;
  trainN?: number | undefined;
  sources?: Record<string, number> | null | undefined;
}): string {
  if (!sources) {
    return `${formatCount(labelCount)} labels (sources not recorded for this version)`;
  }
  const known = LABEL_SOURCE_WORDS.filter(([source]) => source in sources || source === "import" || source === "human");
  const others = Object.keys(sources).filter((source) => !LABEL_SOURCE_WORDS.some(([name]) => name === source));
  const parts = [
    ...known.map(([source, words]) => `${formatCount(sources[source] ?? 0)} ${words}`),
    ...others.map((source) => `${formatCount(sources[source] ?? 0)} ${source}`),
  ];
  const total = trainN ?? Object.values(sources).reduce((sum, count) => sum + count, 0);
  return `${formatCount(total)} labels: ${parts.join(", ")}`;
}

/** A table cell's short form: imports and annotators always, other sources when there are some. */
export function sourcesShort(sources: Record<string, number> | null | undefined): string {
  if (!sources) return "sources not recorded";
  return LABEL_SOURCE_WORDS.filter(([source]) => source === "import" || source === "human" || (sources[source] ?? 0) > 0)
    .map(([source, words]) => `${formatCount(sources[source] ?? 0)} ${words}`)
    .join(" · ");
}
