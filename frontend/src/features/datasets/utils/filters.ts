import {
  AUTOMATIC_SOURCES,
  DEFAULT_SOURCES,
  type LabelSource,
  SOURCE_LABELS,
  type Snapshot,
  type SnapshotCounts,
  type SnapshotFilters,
  type Split,
} from "../types";

/** One metadata filter row as typed: a key and its values, comma-separated. */
export type MetadataRow = { key: string; values: string };

/** The cut form's state, as the person edits it. */
export type SnapshotForm = {
  name: string;
  sources: LabelSource[];
  /** Empty: every split. */
  splits: Split[];
  /** Empty: every class. */
  classes: string[];
  labeledOnly: boolean;
  /** `datetime-local` values ("2026-05-01T10:00"), local time; "" for no bound. */
  labeledAfter: string;
  labeledBefore: string;
  metadata: MetadataRow[];
};

export function emptyForm(): SnapshotForm {
  return {
    name: "",
    sources: [...DEFAULT_SOURCES],
    splits: [],
    classes: [],
    labeledOnly: true,
    labeledAfter: "",
    labeledBefore: "",
    metadata: [],
  };
}

/** A local `datetime-local` value as an ISO instant, or null when blank or unreadable. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The filters JSON the API takes; empty choices are left out so the server's defaults apply. */
export function filtersFromForm(form: SnapshotForm): SnapshotFilters {
  const filters: SnapshotFilters = { sources: [...form.sources], labeled_only: form.labeledOnly };
  if (form.splits.length) filters.splits = [...form.splits];
  if (form.classes.length) filters.classes = [...form.classes];
  const after = localToIso(form.labeledAfter);
  const before = localToIso(form.labeledBefore);
  if (after) filters.labeled_after = after;
  if (before) filters.labeled_before = before;
  const metadata: Record<string, string[]> = {};
  for (const row of form.metadata) {
    const key = row.key.trim();
    const values = row.values
      .split(",")
      .map((value) => value.trim())
      .filter(Boolean);
    if (key && values.length) metadata[key] = [...(metadata[key] ?? []), ...values];
  }
  if (Object.keys(metadata).length) filters.metadata = metadata;
  return filters;
}

export function hasAutomaticSources(sources: readonly string[] | undefined): boolean {
  return (sources ?? []).some((source) => (AUTOMATIC_SOURCES as string[]).includes(source));
}

function dateText(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleDateString();
}

/** A snapshot's filters in one line, e.g. "annotators, imported · train, dev · spam · labeled only". */
export function filtersSummary(filters: SnapshotFilters | null | undefined): string {
  const parts: string[] = [];
  const sources = filters?.sources ?? DEFAULT_SOURCES;
  const isDefault =
    sources.length === DEFAULT_SOURCES.length && DEFAULT_SOURCES.every((source) => sources.includes(source));
  parts.push(
    isDefault
      ? "people's labels"
      : sources.map((source) => SOURCE_LABELS[source as LabelSource]?.toLowerCase() ?? source).join(", "),
  );
  if (filters?.splits?.length) parts.push(`splits ${filters.splits.join(", ")}`);
  if (filters?.classes?.length) parts.push(`classes ${filters.classes.join(", ")}`);
  parts.push(filters?.labeled_only === false ? "unlabeled items too" : "labeled only");
  if (filters?.labeled_after) parts.push(`labeled after ${dateText(filters.labeled_after)}`);
  if (filters?.labeled_before) parts.push(`labeled before ${dateText(filters.labeled_before)}`);
  for (const [key, values] of Object.entries(filters?.metadata ?? {})) {
    parts.push(`${key} = ${values.join(" or ")}`);
  }
  return parts.join(" · ");
}

function numberMap(value: unknown): Record<string, number> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number",
    ),
  );
}

function numberOr(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

/** Counts as shown: items, labeled, automatic, and per split / class / source maps. */
export type CountsView = {
  items: number;
  labeled: number;
  automatic: number;
  splits: Record<string, number>;
  classes: Record<string, number>;
  sources: Record<string, number>;
};

/** Read the counts JSON, accepting `splits` or `per_split` (and so on) for the maps. */
export function readCounts(counts: SnapshotCounts | null | undefined): CountsView {
  const raw: Record<string, unknown> = counts ?? {};
  return {
    items: numberOr(raw.items),
    labeled: numberOr(raw.labeled),
    automatic: numberOr(raw.automatic),
    splits: numberMap(raw.splits ?? raw.per_split),
    classes: numberMap(raw.classes ?? raw.per_class),
    sources: numberMap(raw.sources ?? raw.per_source),
  };
}

/** "train 80 · dev 10 · test 10", in train/dev/test order then the rest. */
export function mapSummary(values: Record<string, number>, order: readonly string[] = []): string {
  const known = order.filter((key) => key in values);
  const rest = Object.keys(values)
    .filter((key) => !order.includes(key))
    .sort();
  return [...known, ...rest].map((key) => `${key} ${values[key]?.toLocaleString("en")}`).join(" · ");
}

export function snapshotTitle(snapshot: Pick<Snapshot, "number" | "name">): string {
  return snapshot.name ? `#${snapshot.number} ${snapshot.name}` : `#${snapshot.number}`;
}
