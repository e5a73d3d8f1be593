import type { DiffChange, DiffRow } from "../../utils/audit-diff";

const CHANGE_LABELS: Record<DiffChange, string> = {
  added: "set",
  removed: "removed",
  changed: "changed",
  unchanged: "unchanged",
};

function Value({ value }: { value: string | undefined }) {
  if (value === undefined) return <span className="hint">—</span>;
  // Rendered as text: values may hold people's content.
  return <div className="audit-value">{value}</div>;
}

/** The fields an event changed: one row each, before and after side by side. */
export function AuditDiffTable({ rows }: { rows: DiffRow[] }) {
  if (rows.length === 0) return <p className="hint">This event records no field values.</p>;
  return (
    <table className="table table-compact audit-diff" data-testid="audit-diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.field} className={`diff-${row.change}`} data-change={row.change}>
            <th scope="row">
              <code>{row.field}</code> <span className="visually-hidden">({CHANGE_LABELS[row.change]})</span>
            </th>
            <td className="diff-before">
              <Value value={row.before} />
            </td>
            <td className="diff-after">
              <Value value={row.after} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
