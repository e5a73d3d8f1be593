import { ErrorMessage } from "@/components/ui/error-message";
import { formatCount } from "@/lib/format";

import { useItems } from "../api/get-items";

/** Labeled and unlabeled counts, read as the `count` of one-row pages. */
export function ItemCounts({ projectId }: { projectId: number }) {
  const labeled = useItems({ projectId, filters: { labeled: true }, pageSize: 1 });
  const unlabeled = useItems({ projectId, filters: { labeled: false }, pageSize: 1 });
  return (
    <>
      <ErrorMessage error={labeled.error ?? unlabeled.error} title="Could not count the items" />
      <dl className="facts">
        <div>
          <dt>Labeled</dt>
          <dd data-testid="labeled-count">{labeled.data ? formatCount(labeled.data.count) : "…"}</dd>
        </div>
        <div>
          <dt>Unlabeled</dt>
          <dd data-testid="unlabeled-count">{unlabeled.data ? formatCount(unlabeled.data.count) : "…"}</dd>
        </div>
      </dl>
    </>
  );
}
