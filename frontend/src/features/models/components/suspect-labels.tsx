import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { formatCount, formatDecimal, formatPercent } from "@/lib/format";

import { useLabelQuality } from "../api/get-label-quality";
import { SUSPECTS_PAGE_SIZE, useSuspectLabels } from "../api/get-suspect-labels";
import { useRunSuspectLabels } from "../api/run-suspect-labels";
import { MAX_SECOND_OPINION_BATCH, useSendSecondOpinion } from "../api/send-second-opinion";
import { isJobActive, SUSPECT_STATUS_LABELS, type SuspectLabel, type SuspectStatus } from "../types";
import { TrainingJobProgress } from "./training-job-progress";

const FILTERS: { status: SuspectStatus | null; label: string }[] = [
  { status: "open", label: "Not reviewed" },
  { status: "sent", label: "Out for review" },
  { status: "confirmed", label: "Confirmed" },
  { status: "corrected", label: "Corrected" },
  { status: null, label: "All" },
];

/** What the second opinion said, or where the suspect is. */
function Outcome({ suspect }: { suspect: SuspectLabel }) {
  const label = SUSPECT_STATUS_LABELS[suspect.status];
  if (suspect.status !== "confirmed" && suspect.status !== "corrected") {
    return <span className={`status status-suspect-${suspect.status}`}>{label}</span>;
  }
  const answer = (suspect.review_labels as string[] | undefined)?.join(", ") ?? "";
  return (
    <span className={`status status-suspect-${suspect.status}`} data-testid="suspect-outcome">
      {label}
      {answer ? (
        <>
          : <bdi>{answer}</bdi>
        </>
      ) : null}
      {suspect.reviewer ? <span className="hint"> by {suspect.reviewer}</span> : null}
    </span>
  );
}

/**
 * The "Review suspect labels" list: labels confident learning judged probably wrong, most likely
 * first. Managers select some and send them to the annotation queue for a blind second opinion;
 * the outcome (confirmed / corrected) shows once another annotator answered.
 */
export function SuspectLabels({ projectId, canSend }: { projectId: number; canSend: boolean }) {
  const [status, setStatus] = useState<SuspectStatus | null>("open");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const quality = useLabelQuality(projectId);
  const suspects = useSuspectLabels({ projectId, status, page });
  const run = useRunSuspectLabels();
  const send = useSendSecondOpinion();
  const job = quality.data?.job ?? null;
  const running = job !== null && isJobActive(job.status);

  function show(next: SuspectStatus | null) {
    setStatus(next);
    setPage(1);
    setSelected(new Set());
  }

  function toggle(id: number) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  const rows = suspects.data?.results ?? [];
  const selectable = rows.filter((row) => row.status === "open").map((row) => row.id);
  const allSelected = selectable.length > 0 && selectable.every((id) => selected.has(id));

  function toggleAll() {
    const next = new Set(selected);
    for (const id of selectable) {
      if (allSelected) next.delete(id);
      else next.add(id);
    }
    setSelected(next);
  }

  function sendSelected() {
    const ids = [...selected].slice(0, MAX_SECOND_OPINION_BATCH);
    send.mutate({ projectId, suspects: ids }, { onSuccess: () => setSelected(new Set()) });
  }

  return (
    <div className="stack" data-testid="suspect-labels">
      {canSend ? (
        <div className="row row-end">
          <button
            type="button"
            onClick={() => run.mutate({ projectId })}
            disabled={run.isPending || running}
            data-testid="suspects-run"
          >
            {running ? "Finding suspect labels…" : "Find suspect labels"}
          </button>
          <p className="hint">
            Each labeled item is scored by models that never saw its label (5-fold cross-fitting on the
            embeddings, blended with its nearest neighbours' labels); a label is suspect when its class is
            unusually unlikely and another class is confidently likely.
          </p>
        </div>
      ) : null}
      <ErrorMessage error={run.error} title="Could not start finding suspect labels" />
      {job ? <TrainingJobProgress job={job} /> : null}
      {quality.data?.judged != null ? (
        <p data-testid="suspects-summary">
          {formatCount(quality.data.suspects)} of {formatCount(quality.data.judged)} people's labels look
          wrong; estimated label-error rate {formatPercent(quality.data.estimated_error_rate)}.
        </p>
      ) : null}
      <div className="segmented" role="group" aria-label="Which suspect labels">
        {FILTERS.map((filter) => (
          <button
            key={filter.label}
            type="button"
            aria-pressed={status === filter.status}
            onClick={() => show(filter.status)}
          >
            {filter.label}
          </button>
        ))}
      </div>
      <ErrorMessage error={send.error} title="Could not send for a second opinion" />
      {send.isSuccess ? (
        <p className="alert alert-success" role="status" data-testid="suspects-sent">
          Sent {formatCount(send.data.sent)} for a second opinion: annotators who did not label them get them
          before other items, without the first label.
        </p>
      ) : null}
      {suspects.isPending ? (
        <Loading label="Loading suspect labels…" />
      ) : !suspects.data ? (
        <ErrorMessage error={suspects.error} title="Could not load the suspect labels" />
      ) : rows.length === 0 ? (
        <p className="hint" data-testid="suspects-empty">
          {status === "open" || status === null
            ? canSend
              ? "No suspect labels to review. Use “Find suspect labels” once people have labeled at least 5 items in each of two classes."
              : "No suspect labels to review. An admin or ML engineer finds them from this page."
            : `No suspect labels are ${SUSPECT_STATUS_LABELS[status].toLowerCase()}.`}
        </p>
      ) : (
        <>
          {canSend && selectable.length > 0 ? (
            <div className="row row-end">
              <button
                type="button"
                onClick={sendSelected}
                disabled={selected.size === 0 || send.isPending}
                data-testid="suspects-send"
              >
                Send {selected.size > 0 ? formatCount(selected.size) : ""} for a second opinion
              </button>
            </div>
          ) : null}
          <div className="table-scroll">
            <table className="table table-compact" data-testid="suspects-table">
              <thead>
                <tr>
                  {canSend ? (
                    <th scope="col">
                      <input
                        type="checkbox"
                        aria-label="Select every unreviewed suspect on this page"
                        checked={allSelected}
                        disabled={selectable.length === 0}
                        onChange={toggleAll}
                        data-testid="suspects-select-all"
                      />
                    </th>
                  ) : null}
                  <th scope="col">Rank</th>
                  <th scope="col">Item</th>
                  <th scope="col">Given label</th>
                  <th scope="col">Likely label</th>
                  <th scope="col" title="Out-of-sample probability of the given label (lower: more likely wrong)">
                    P(given)
                  </th>
                  <th scope="col">Labeled by</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} data-testid="suspect-row" data-suspect-id={row.id} data-status={row.status}>
                    {canSend ? (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${row.external_id}`}
                          checked={selected.has(row.id)}
                          disabled={row.status !== "open"}
                          onChange={() => toggle(row.id)}
                          data-testid="suspect-select"
                        />
                      </td>
                    ) : null}
                    <td>{row.rank}</td>
                    <th scope="row" className="break-anywhere">
                      <Link to={paths.projectItem.href(projectId, row.item)}>
                        <bdi>{row.external_id}</bdi>
                      </Link>
                      {row.text ? (
                        <span className="item-text-preview hint" style={{ WebkitLineClamp: 2 }}>
                          {row.text}
                        </span>
                      ) : null}
                    </th>
                    <td>{row.given_label ?? <span className="hint">hidden</span>}</td>
                    <td>{row.suggested_label ?? <span className="hint">hidden</span>}</td>
                    <td>{formatDecimal(row.score, 2)}</td>
                    <td>{row.annotator ?? <span className="hint">imported</span>}</td>
                    <td>
                      <Outcome suspect={row} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pageSize={SUSPECTS_PAGE_SIZE}
            count={suspects.data.count}
            onPageChange={setPage}
            label="Suspect label pages"
          />
        </>
      )}
    </div>
  );
}
