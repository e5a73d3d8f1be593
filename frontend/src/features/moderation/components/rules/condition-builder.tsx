import type { Combine, ConditionRow, SignalName } from "./condition";
import { emptyRow, opsFor, SIGNALS } from "./condition";

type Props = {
  combine: Combine;
  rows: ConditionRow[];
  categories: string[];
  banks: string[];
  onChange: (combine: Combine, rows: ConditionRow[]) => void;
};

const OP_LABELS: Record<string, string> = { in: "is one of", not_in: "is none of", contains: "contains", exists: "is set" };

/** Rows of one signal each, joined by "all" or "any"; each row can be negated. */
export function ConditionBuilder({ combine, rows, categories, banks, onChange }: Props) {
  const change = (index: number, patch: Partial<ConditionRow>) =>
    onChange(
      combine,
      rows.map((row, n) => (n === index ? { ...row, ...patch } : row)),
    );
  return (
    <fieldset className="stack condition-builder" data-testid="condition-builder">
      <legend>Condition</legend>
      <label className="inline-field">
        Holds when{" "}
        <select
          value={combine}
          onChange={(event) => onChange(event.target.value as Combine, rows)}
          data-testid="condition-combine"
        >
          <option value="all">all of these hold</option>
          <option value="any">any of these holds</option>
        </select>
      </label>
      {rows.map((row, index) => {
        const ops = opsFor(row.signal);
        const label = `condition ${index + 1}`;
        return (
          <div className="condition-row" key={index} data-testid="condition-row">
            <label className="inline-field">
              <input
                type="checkbox"
                checked={row.negate}
                onChange={(event) => change(index, { negate: event.target.checked })}
                aria-label={`Not (${label})`}
              />
              not
            </label>
            <select
              aria-label={`Signal of ${label}`}
              value={row.signal}
              onChange={(event) => change(index, { ...emptyRow(event.target.value as SignalName), negate: row.negate })}
              data-testid="condition-signal"
            >
              {SIGNALS.map((signal) => (
                <option key={signal.value} value={signal.value}>
                  {signal.label}
                </option>
              ))}
            </select>
            {row.signal === "score" ? (
              <>
                <select
                  aria-label={`Category of ${label}`}
                  value={row.category}
                  onChange={(event) => change(index, { category: event.target.value })}
                >
                  <option value="">Category…</option>
                  {categories.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
                <select
                  aria-label={`Model of ${label}`}
                  value={row.model}
                  onChange={(event) => change(index, { model: event.target.value as ConditionRow["model"] })}
                >
                  <option value="production">production</option>
                  <option value="shadow">shadow</option>
                </select>
              </>
            ) : null}
            {row.signal === "bank" ? (
              <select
                aria-label={`Text bank of ${label}`}
                value={row.bank}
                onChange={(event) => change(index, { bank: event.target.value })}
                data-testid="condition-bank"
              >
                <option value="">Text bank…</option>
                {banks.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            ) : null}
            {row.signal === "metadata" ? (
              <input
                aria-label={`Context field of ${label}`}
                placeholder="field, e.g. surface"
                value={row.field}
                maxLength={200}
                onChange={(event) => change(index, { field: event.target.value })}
              />
            ) : null}
            {ops.length ? (
              <select
                aria-label={`Comparison of ${label}`}
                value={row.op}
                onChange={(event) => change(index, { op: event.target.value })}
                data-testid="condition-op"
              >
                {ops.map((op) => (
                  <option key={op} value={op}>
                    {OP_LABELS[op] ?? op}
                  </option>
                ))}
              </select>
            ) : null}
            {row.signal !== "bank" && row.signal !== "hash_match" && row.op !== "exists" ? (
              <input
                aria-label={`Value of ${label}`}
                placeholder={row.op === "in" || row.op === "not_in" ? "a, b, c" : "value"}
                value={row.value}
                maxLength={2000}
                onChange={(event) => change(index, { value: event.target.value })}
                data-testid="condition-value"
              />
            ) : null}
            <button
              type="button"
              className="btn-link btn-small"
              onClick={() => onChange(combine, rows.filter((_, n) => n !== index))}
              disabled={rows.length === 1}
            >
              Remove
            </button>
          </div>
        );
      })}
      <div>
        <button type="button" className="btn btn-small" onClick={() => onChange(combine, [...rows, emptyRow()])}>
          Add a condition
        </button>
      </div>
    </fieldset>
  );
}
