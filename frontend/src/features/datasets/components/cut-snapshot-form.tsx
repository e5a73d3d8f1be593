import { type FormEvent, useId, useState } from "react";

import { type EditableColumn, EditableRows } from "@/components/ui/editable-rows";
import { ErrorMessage } from "@/components/ui/error-message";
import { useDebouncedValue } from "@/hooks/use-debounced-value";

import { useCreateSnapshot } from "../api/create-snapshot";
import { useSnapshotPreview } from "../api/preview-snapshot";
import {
  AUTOMATIC_SOURCES,
  DEFAULT_SOURCES,
  type LabelSource,
  type Snapshot,
  SOURCE_LABELS,
  type Split,
  SPLITS,
} from "../types";
import { emptyForm, filtersFromForm, hasAutomaticSources, type MetadataRow, type SnapshotForm } from "../utils/filters";
import { CountsFacts } from "./counts-facts";

/** How long the form waits after a change before asking for a new preview. */
export const PREVIEW_DEBOUNCE_MS = 400;

type CutSnapshotFormProps = {
  projectId: number;
  classNames: string[];
  onCreated: (snapshot: Snapshot) => void;
  onCancel: () => void;
};

function toggle<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((item) => item !== value), value] : list.filter((item) => item !== value);
}

/**
 * The filters a snapshot is cut with, the counts it would have (asked of the server after each
 * pause in editing, nothing cut), and the server's refusal shown in place when they select nothing.
 */
export function CutSnapshotForm({ projectId, classNames, onCreated, onCancel }: CutSnapshotFormProps) {
  const id = useId();
  const [form, setForm] = useState<SnapshotForm>(emptyForm);
  const filters = filtersFromForm(form);
  const settledFilters = useDebouncedValue(filters, PREVIEW_DEBOUNCE_MS);
  const preview = useSnapshotPreview({ projectId, filters: settledFilters });
  const create = useCreateSnapshot();
  const settling = JSON.stringify(filters) !== JSON.stringify(settledFilters);

  const change = (patch: Partial<SnapshotForm>) => setForm((current) => ({ ...current, ...patch }));
  const metadataColumns: EditableColumn<MetadataRow>[] = [
    {
      header: "Metadata key",
      cell: (row, update) => (
        <input
          aria-label="Metadata key"
          value={row.key}
          onChange={(event) => update({ key: event.target.value })}
          data-testid="snapshot-metadata-key"
        />
      ),
    },
    {
      header: "Values (comma-separated)",
      cell: (row, update) => (
        <input
          aria-label="Metadata values, comma-separated"
          value={row.values}
          onChange={(event) => update({ values: event.target.value })}
          data-testid="snapshot-metadata-values"
        />
      ),
    },
  ];

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { projectId, name: form.name.trim(), filters },
      { onSuccess: (snapshot) => onCreated(snapshot) },
    );
  }

  const automatic = hasAutomaticSources(form.sources);
  return (
    <form className="stack cut-snapshot-form" onSubmit={submit} data-testid="cut-snapshot-form" noValidate>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          maxLength={200}
          value={form.name}
          placeholder="e.g. before the relabeling of spam"
          onChange={(event) => change({ name: event.target.value })}
          data-testid="snapshot-name"
        />
      </div>

      <fieldset>
        <legend>Label sources</legend>
        <div className="row">
          {[...DEFAULT_SOURCES, ...AUTOMATIC_SOURCES].map((source: LabelSource) => (
            <div className="field field-checkbox" key={source}>
              <input
                id={`${id}-source-${source}`}
                type="checkbox"
                checked={form.sources.includes(source)}
                onChange={(event) => change({ sources: toggle(form.sources, source, event.target.checked) })}
                data-testid={`snapshot-source-${source}`}
              />
              <label htmlFor={`${id}-source-${source}`}>{SOURCE_LABELS[source]}</label>
            </div>
          ))}
        </div>
        {automatic ? (
          <p className="alert alert-warning" role="note" data-testid="snapshot-automatic-warning">
            Auto-labels and automatic moderation decisions are the model&apos;s own labels, not people&apos;s.
            Items labeled by them are marked <code>is_automatic</code> in the snapshot; training on them
            teaches the model its own mistakes.
          </p>
        ) : null}
      </fieldset>

      <div className="row">
        <fieldset>
          <legend>Splits</legend>
          <div className="row">
            {SPLITS.map((split: Split) => (
              <div className="field field-checkbox" key={split}>
                <input
                  id={`${id}-split-${split}`}
                  type="checkbox"
                  checked={form.splits.includes(split)}
                  onChange={(event) => change({ splits: toggle(form.splits, split, event.target.checked) })}
                  data-testid={`snapshot-split-${split}`}
                />
                <label htmlFor={`${id}-split-${split}`}>{split}</label>
              </div>
            ))}
          </div>
          <p className="hint">None ticked: every split.</p>
        </fieldset>
        {classNames.length ? (
          <fieldset>
            <legend>Classes</legend>
            <div className="row">
              {classNames.map((name, index) => (
                <div className="field field-checkbox" key={name}>
                  <input
                    id={`${id}-class-${index}`}
                    type="checkbox"
                    checked={form.classes.includes(name)}
                    onChange={(event) => change({ classes: toggle(form.classes, name, event.target.checked) })}
                    data-testid="snapshot-class"
                  />
                  <label htmlFor={`${id}-class-${index}`}>
                    <bdi>{name}</bdi>
                  </label>
                </div>
              ))}
            </div>
            <p className="hint">None ticked: every class.</p>
          </fieldset>
        ) : null}
      </div>

      <fieldset>
        <legend>Labels</legend>
        <div className="field field-checkbox">
          <input
            id={`${id}-labeled-only`}
            type="checkbox"
            checked={form.labeledOnly}
            onChange={(event) => change({ labeledOnly: event.target.checked })}
            data-testid="snapshot-labeled-only"
          />
          <label htmlFor={`${id}-labeled-only`}>Labeled items only</label>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-after`}>Labeled after</label>
            <input
              id={`${id}-after`}
              type="datetime-local"
              value={form.labeledAfter}
              onChange={(event) => change({ labeledAfter: event.target.value })}
              data-testid="snapshot-labeled-after"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-before`}>Labeled before</label>
            <input
              id={`${id}-before`}
              type="datetime-local"
              value={form.labeledBefore}
              onChange={(event) => change({ labeledBefore: event.target.value })}
              data-testid="snapshot-labeled-before"
            />
          </div>
        </div>
      </fieldset>

      <fieldset>
        <legend>Metadata</legend>
        {form.metadata.length === 0 ? <p className="hint">No metadata filter: items with any metadata.</p> : null}
        <EditableRows
          rows={form.metadata}
          onChange={(metadata) => change({ metadata })}
          columns={metadataColumns}
          rowKey={(_row, index) => index}
          newRow={() => ({ key: "", values: "" })}
          addLabel="Add a metadata filter"
          testId="snapshot-metadata"
          rowTestId="snapshot-metadata-row"
        />
      </fieldset>

      <div className="cut-snapshot-footer stack">
        <section className="card snapshot-preview" aria-labelledby={`${id}-preview`} aria-live="polite" data-testid="snapshot-preview">
          <h3 id={`${id}-preview`}>
            Preview{settling || preview.isFetching ? <span className="hint"> (counting…)</span> : null}
          </h3>
          {preview.isError ? (
            <ErrorMessage error={preview.error} title="These filters cannot be cut" />
          ) : preview.data ? (
            <>
              <CountsFacts counts={preview.data} testId="snapshot-preview-counts" />
              {preview.data.items === 0 ? (
                <p className="alert alert-warning" data-testid="snapshot-preview-empty">
                  These filters select no items: the server will refuse to cut this snapshot.
                </p>
              ) : null}
              {preview.data.message ? (
                <p className="hint" data-testid="snapshot-preview-message">
                  {preview.data.message}
                </p>
              ) : null}
            </>
          ) : (
            <p className="hint">Counting…</p>
          )}
        </section>

        <ErrorMessage error={create.error} title="The snapshot was not cut" />
        <div className="button-group">
          <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="snapshot-submit">
            {create.isPending ? "Cutting…" : "Cut snapshot"}
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
