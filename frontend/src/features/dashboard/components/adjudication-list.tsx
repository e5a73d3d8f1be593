import { type FormEvent, useId, useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { paths } from "@/config/paths";
import { formatCount, formatDateTime } from "@/lib/format";

import { ADJUDICATION_PAGE_SIZE, useAdjudications } from "../api/get-adjudications";
import { useResolveAdjudication } from "../api/resolve-adjudication";
import type { AdjudicationItem, AdjudicationState, DashboardProject } from "../types";

/** Items whose annotators disagree, each with their labels and a way to set the gold label. */
export function AdjudicationList({ project }: { project: DashboardProject }) {
  const [state, setState] = useState<AdjudicationState>("open");
  const [page, setPage] = useState(1);
  const list = useAdjudications({ projectId: project.id, state, page });

  function show(next: AdjudicationState) {
    setState(next);
    setPage(1);
  }

  return (
    <div className="stack" data-testid="adjudication">
      <div className="segmented" role="group" aria-label="Which items">
        <button type="button" aria-pressed={state === "open"} onClick={() => show("open")}>
          Disagreements
        </button>
        <button type="button" aria-pressed={state === "resolved"} onClick={() => show("resolved")}>
          Resolved
        </button>
      </div>
      {list.isPending ? (
        <Loading label="Loading disagreements…" />
      ) : !list.data ? (
        <ErrorMessage error={list.error} title="Could not load the disagreements" />
      ) : list.data.results.length === 0 ? (
        <p className="hint" data-testid="adjudication-empty">
          {state === "open" ? "No disagreements to resolve." : "No item has a gold label yet."}
        </p>
      ) : (
        <>
          <ul className="adjudication-list">
            {list.data.results.map((entry) => (
              <AdjudicationEntry key={entry.item.id} project={project} entry={entry} />
            ))}
          </ul>
          <Pagination
            page={page}
            pageSize={ADJUDICATION_PAGE_SIZE}
            count={list.data.count}
            onPageChange={setPage}
            label="Disagreement pages"
          />
        </>
      )}
    </div>
  );
}

function AdjudicationEntry({ project, entry }: { project: DashboardProject; entry: AdjudicationItem }) {
  const { item, annotations, gold } = entry;
  return (
    <li className="card stack" data-testid="adjudication-item" data-item-id={item.id}>
      <p className="hint">
        <Link to={`${paths.projectItems.href(project.id)}/${item.id}`}>
          Item <bdi>{item.external_id}</bdi>
        </Link>
      </p>
      {item.thumbnail_url || (item.image_url && !item.media_restricted) ? (
        // A media-restricted item's thumbnail is blurred; its full image is never loaded here.
        <img src={item.thumbnail_url ?? item.image_url ?? ""} alt={`Item ${item.external_id}`} className="thumbnail" />
      ) : (
        <div className="adjudication-text">{item.text ?? ""}</div>
      )}
      <table className="table table-compact">
        <caption>
          {formatCount(annotations.length)} {annotations.length === 1 ? "label" : "labels"}
        </caption>
        <tbody>
          {annotations.map((annotation) => (
            <tr key={`${annotation.username}-${annotation.created_at}`}>
              <th scope="row">{annotation.username}</th>
              <td>{annotation.labels.join(", ") || "—"}</td>
              <td className="hint">{formatDateTime(annotation.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {gold ? (
        <p data-testid="adjudication-gold">
          Gold label: <strong>{gold.labels.join(", ")}</strong>
          {gold.resolved_by ? ` (set by ${gold.resolved_by}, ${formatDateTime(gold.updated_at)})` : null}
          {gold.note ? <span className="pre-wrap">. Note: {gold.note}</span> : null}
        </p>
      ) : null}
      <ResolveForm project={project} itemId={item.id} initial={gold?.labels ?? []} />
    </li>
  );
}

type ResolveFormProps = { project: DashboardProject; itemId: number; initial: string[] };

function ResolveForm({ project, itemId, initial }: ResolveFormProps) {
  const id = useId();
  const multilabel = project.task_type === "multilabel";
  const [labels, setLabels] = useState<string[]>(initial);
  const [note, setNote] = useState("");
  const resolve = useResolveAdjudication();
  const classes = [...project.label_classes].sort((a, b) => a.order - b.order);

  function toggle(name: string) {
    setLabels((current) =>
      multilabel ? (current.includes(name) ? current.filter((label) => label !== name) : [...current, name]) : [name],
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (labels.length === 0) return;
    resolve.mutate({ projectId: project.id, itemId, labels, note: note.trim() || undefined });
  }

  return (
    <form className="stack" onSubmit={submit} data-testid="adjudication-form">
      <fieldset>
        <legend>{initial.length > 0 ? "Change the gold label" : "Gold label"}</legend>
        <div className="row">
          {classes.map((labelClass) => (
            <label key={labelClass.id} className="field-checkbox">
              <input
                type={multilabel ? "checkbox" : "radio"}
                name={`${id}-label`}
                value={labelClass.name}
                checked={labels.includes(labelClass.name)}
                onChange={() => toggle(labelClass.name)}
                data-testid="adjudication-label"
              />
              {labelClass.name}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row row-end">
        <div className="field">
          <label htmlFor={`${id}-note`}>Note (optional)</label>
          <input id={`${id}-note`} value={note} maxLength={2000} onChange={(event) => setNote(event.target.value)} />
        </div>
        <button type="submit" className="btn-primary" disabled={labels.length === 0 || resolve.isPending} data-testid="adjudication-resolve">
          {resolve.isPending ? "Saving…" : "Resolve"}
        </button>
      </div>
      <ErrorMessage error={resolve.error} title="Could not set the gold label" />
    </form>
  );
}
