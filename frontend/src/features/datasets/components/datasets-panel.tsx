import { useState } from "react";

import { Modal } from "@/components/ui/modal";

import { useSnapshots } from "../api/get-snapshots";
import { formatsFor } from "../types";
import { CutSnapshotForm } from "./cut-snapshot-form";
import { SnapshotDiff } from "./snapshot-diff";
import { SnapshotList } from "./snapshot-list";
import "./datasets.css";

type DatasetsPanelProps = {
  projectId: number;
  dataType: string | null | undefined;
  classNames: string[];
  highlight?: number | null;
};

/** The Datasets tab: cut a snapshot, the snapshots with their downloads, and a diff of two. */
export function DatasetsPanel({ projectId, dataType, classNames, highlight = null }: DatasetsPanelProps) {
  const [cutting, setCutting] = useState(false);
  const [page, setPage] = useState(1);
  const snapshots = useSnapshots({ projectId, page });
  const formats = formatsFor(dataType);

  return (
    <div className="stack">
      <section aria-labelledby="snapshots-heading" className="stack">
        <div className="page-heading snapshots-heading">
          <h2 id="snapshots-heading">Snapshots</h2>
          <button type="button" className="btn btn-primary" onClick={() => setCutting(true)} data-testid="cut-snapshot">
            Cut a snapshot
          </button>
        </div>
        <p className="hint">
          A snapshot is a numbered, unchanging dataset version: the items, the label each resolves to (gold, else
          the majority of people&apos;s latest labels, else the latest) and its split, with where every label came from.
        </p>
        <SnapshotList
          projectId={projectId}
          formats={formats}
          highlight={highlight}
          page={page}
          onPageChange={setPage}
        />
      </section>
      {snapshots.data && snapshots.data.results.length > 1 ? (
        <section aria-labelledby="snapshot-diff-heading" className="stack">
          <h2 id="snapshot-diff-heading">Compare two snapshots</h2>
          <SnapshotDiff projectId={projectId} snapshots={snapshots.data.results} />
        </section>
      ) : null}
      {cutting ? (
        <Modal title="Cut a snapshot" onClose={() => setCutting(false)} testId="cut-snapshot-dialog">
          <CutSnapshotForm
            projectId={projectId}
            classNames={classNames}
            onCreated={() => {
              setCutting(false);
              setPage(1);
            }}
            onCancel={() => setCutting(false)}
          />
        </Modal>
      ) : null}
    </div>
  );
}
