import { useEffect } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useSnapshots } from "../api/get-snapshots";
import type { DatasetFormat } from "../types";
import { SnapshotCard } from "./snapshot-card";

type SnapshotListProps = {
  projectId: number;
  formats: DatasetFormat[];
  /** A snapshot to scroll to and mark (a model version's "trained on snapshot 7" link). */
  highlight?: number | null;
  page?: number;
  onPageChange?: (page: number) => void;
};

/** Every snapshot, newest first, polled every second while one is cut or exported. */
export function SnapshotList({ projectId, formats, highlight = null, page = 1, onPageChange }: SnapshotListProps) {
  const snapshots = useSnapshots({ projectId, page });
  const loaded = snapshots.data !== undefined;

  useEffect(() => {
    if (!loaded || highlight === null) return;
    document.getElementById(`snapshot-${highlight}`)?.scrollIntoView?.({ block: "start" });
  }, [loaded, highlight]);

  if (snapshots.isPending) return <Loading label="Loading the snapshots…" />;
  if (!snapshots.data) return <ErrorMessage error={snapshots.error} title="Could not load the snapshots" />;

  const { results, count } = snapshots.data;
  if (results.length === 0 && page === 1) {
    return (
      <div className="card empty-state" data-testid="snapshots-empty">
        <p>
          <strong>No snapshots yet.</strong> Cut your first snapshot with “Cut a snapshot”: it freezes the
          labeled items, their resolved labels and splits as a numbered dataset version you can download as
          JSON Lines, CSV, Parquet or a Hugging Face dataset, and that stays the same however the labels change later.
        </p>
        <p className="hint">Every training run also cuts one, so you can always fetch the data a model was trained on.</p>
      </div>
    );
  }

  return (
    <div className="stack" data-testid="snapshots">
      {/* A failed poll keeps the last known state on screen and says why it is not moving. */}
      <ErrorMessage error={snapshots.error} title="Could not refresh the snapshots" />
      {results.map((snapshot) => (
        <SnapshotCard
          key={snapshot.id}
          projectId={projectId}
          snapshot={snapshot}
          formats={formats}
          highlighted={snapshot.number === highlight}
        />
      ))}
      {count > DEFAULT_PAGE_SIZE && onPageChange ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={count}
          onPageChange={onPageChange}
          label="Snapshot pages"
        />
      ) : null}
    </div>
  );
}
