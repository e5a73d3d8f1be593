import { useState } from "react";

import { exportUrl } from "../api/get-export";
import { type AnnotationSource, SOURCE_OPTIONS } from "../types";

export function ExportPanel({ projectId }: { projectId: number }) {
  const [source, setSource] = useState<AnnotationSource | "">("");
  const [labeledOnly, setLabeledOnly] = useState(false);
  const options = { source: source || undefined, labeledOnly };

  return (
    <section className="stack" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <p>
        Every item with its annotations. JSON Lines keeps each item's labels, annotators and metadata;
        CSV has one row per item.
      </p>
      <div className="row row-end">
        <div className="field">
          <label htmlFor="export-source">Labels from</label>
          <select
            id="export-source"
            value={source}
            onChange={(event) => setSource(event.target.value as AnnotationSource | "")}
            data-testid="export-source"
          >
            {SOURCE_OPTIONS.map((option) => (
              <option key={option.value || "all"} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-checkbox">
          <input
            id="export-labeled-only"
            type="checkbox"
            checked={labeledOnly}
            onChange={(event) => setLabeledOnly(event.target.checked)}
            data-testid="export-labeled-only"
          />
          <label htmlFor="export-labeled-only">Only labeled items</label>
        </div>
      </div>
      <div className="row">
        <a
          className="btn btn-primary"
          href={exportUrl(projectId, { format: "jsonl", ...options })}
          data-testid="export-jsonl"
        >
          Download JSON Lines
        </a>
        <a
          className="btn btn-secondary"
          href={exportUrl(projectId, { format: "csv", ...options })}
          data-testid="export-csv"
        >
          Download CSV
        </a>
      </div>
    </section>
  );
}
