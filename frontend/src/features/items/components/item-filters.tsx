import { type FormEvent, useState } from "react";

import {
  type AnnotationSource,
  type ItemFilters,
  type ItemOrdering,
  ORDERING_LABELS,
  SOURCE_LABELS,
  SPLIT_LABELS,
  type Split,
} from "../types";

type ItemFiltersFormProps = {
  filters: ItemFilters;
  labelNames: string[];
  onChange: (filters: ItemFilters) => void;
};

/** Selects apply at once; the search box applies on Enter or the Search button. */
export function ItemFiltersForm({ filters, labelNames, onChange }: ItemFiltersFormProps) {
  const [search, setSearch] = useState(filters.search ?? "");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onChange({ ...filters, search: search.trim() || undefined });
  }

  const labeledValue = filters.labeled === undefined ? "" : String(filters.labeled);

  return (
    <form className="filters" role="search" aria-label="Filter items" onSubmit={submit}>
      <div className="field">
        <label htmlFor="items-search">Text or ID</label>
        <input
          id="items-search"
          type="search"
          maxLength={500}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-testid="items-search"
        />
      </div>
      <div className="field">
        <label htmlFor="items-split">Split</label>
        <select
          id="items-split"
          value={filters.split ?? ""}
          onChange={(event) => onChange({ ...filters, split: (event.target.value || undefined) as Split | undefined })}
          data-testid="items-split"
        >
          <option value="">Any</option>
          {Object.entries(SPLIT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="items-labeled">Labeled</label>
        <select
          id="items-labeled"
          value={labeledValue}
          onChange={(event) =>
            onChange({
              ...filters,
              labeled: event.target.value === "" ? undefined : event.target.value === "true",
            })
          }
          data-testid="items-labeled"
        >
          <option value="">Any</option>
          <option value="true">Labeled</option>
          <option value="false">Unlabeled</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="items-label">Label</label>
        <select
          id="items-label"
          value={filters.label ?? ""}
          onChange={(event) => onChange({ ...filters, label: event.target.value || undefined })}
          data-testid="items-label"
        >
          <option value="">Any</option>
          {labelNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="items-source">Label source</label>
        <select
          id="items-source"
          value={filters.source ?? ""}
          onChange={(event) =>
            onChange({ ...filters, source: (event.target.value || undefined) as AnnotationSource | undefined })
          }
          data-testid="items-source"
        >
          <option value="">Any</option>
          {Object.entries(SOURCE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="items-ordering">Order</label>
        <select
          id="items-ordering"
          value={filters.ordering ?? "id"}
          onChange={(event) =>
            // The server's default is oldest first; the address bar only says otherwise.
            onChange({ ...filters, ordering: event.target.value === "id" ? undefined : (event.target.value as ItemOrdering) })
          }
          data-testid="items-ordering"
        >
          {Object.entries(ORDERING_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="filters-actions">
        <button type="submit" className="btn btn-primary" data-testid="items-search-submit">
          Search
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            setSearch("");
            onChange({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
