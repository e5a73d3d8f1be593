import type { ReactNode } from "react";

/** One column of an editable table: its header and the control that edits a row. */
export type EditableColumn<Row> = {
  /** The column's header (also its React key, so unique within a table). */
  header: string;
  /** The cell's control; `change` merges a patch into this row and hands the new rows up. */
  cell: (row: Row, change: (patch: Partial<Row>) => void) => ReactNode;
};

type EditableRowsProps<Row> = {
  rows: readonly Row[];
  onChange: (rows: Row[]) => void;
  columns: readonly EditableColumn<Row>[];
  /** A key that stays with a row while rows before it are removed (its id once saved). */
  rowKey: (row: Row, index: number) => string | number;
  /** The row "add" appends. */
  newRow: () => Row;
  /** The add button's text, e.g. "Add a category". */
  addLabel: string;
  /** Test ids of the table and of each of its rows. */
  testId: string;
  rowTestId: string;
};

/**
 * A table of rows edited in place: one control per cell, a Remove button per row and an add
 * button below. The rows are the caller's (controlled); each change hands up a new array. Put it
 * in a disabled fieldset to make it read-only.
 */
export function EditableRows<Row>({
  rows,
  onChange,
  columns,
  rowKey,
  newRow,
  addLabel,
  testId,
  rowTestId,
}: EditableRowsProps<Row>) {
  const change = (index: number, patch: Partial<Row>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <>
      <div className="table-scroll">
        <table className="table table-compact" data-testid={testId}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col">
                  {column.header}
                </th>
              ))}
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={rowKey(row, index)} data-testid={rowTestId}>
                {columns.map((column) => (
                  <td key={column.header}>{column.cell(row, (patch) => change(index, patch))}</td>
                ))}
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => onChange(rows.filter((_, i) => i !== index))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newRow()])}>
          {addLabel}
        </button>
      </p>
    </>
  );
}
