import { formatCount } from "@/lib/format";

import { SOURCE_LABELS, type LabelSource, type SnapshotCounts, SPLITS } from "../types";
import { mapSummary, readCounts } from "../utils/filters";

type CountsFactsProps = {
  counts: SnapshotCounts | null | undefined;
  testId?: string;
  /** Per class and per source too (the preview); the list shows items, labeled and splits. */
  detailed?: boolean;
};

/** Items, labeled, per split (and per class and label source when detailed) as a fact list. */
export function CountsFacts({ counts, testId, detailed = true }: CountsFactsProps) {
  const view = readCounts(counts);
  const sources = Object.fromEntries(
    Object.entries(view.sources).map(([key, value]) => [SOURCE_LABELS[key as LabelSource] ?? key, value]),
  );
  return (
    <dl className="facts snapshot-counts" data-testid={testId}>
      <div>
        <dt>Items</dt>
        <dd data-testid="count-items">{formatCount(view.items)}</dd>
      </div>
      <div>
        <dt>Labeled</dt>
        <dd data-testid="count-labeled">{formatCount(view.labeled)}</dd>
      </div>
      {Object.keys(view.splits).length ? (
        <div>
          <dt>Per split</dt>
          <dd className="snapshot-count-map" data-testid="count-splits">
            {mapSummary(view.splits, SPLITS)}
          </dd>
        </div>
      ) : null}
      {detailed && Object.keys(view.classes).length ? (
        <div>
          <dt>Per class</dt>
          <dd className="snapshot-count-map" data-testid="count-classes">
            <bdi>{mapSummary(view.classes)}</bdi>
          </dd>
        </div>
      ) : null}
      {detailed && Object.keys(sources).length ? (
        <div>
          <dt>Per label source</dt>
          <dd className="snapshot-count-map" data-testid="count-sources">
            {mapSummary(sources)}
          </dd>
        </div>
      ) : null}
      {view.automatic ? (
        <div>
          <dt>Automatic (marked)</dt>
          <dd className="status-waiting" data-testid="count-automatic">
            {formatCount(view.automatic)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
