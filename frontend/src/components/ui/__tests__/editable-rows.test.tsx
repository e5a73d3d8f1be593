import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { type EditableColumn, EditableRows } from "@/components/ui/editable-rows";

type Fruit = { id: number | null; name: string; count: number };

const columns: EditableColumn<Fruit>[] = [
  {
    header: "Name",
    cell: (fruit, change) => (
      <input aria-label="Fruit name" value={fruit.name} onChange={(event) => change({ name: event.target.value })} />
    ),
  },
  {
    header: "Count",
    cell: (fruit, change) => (
      <input
        aria-label="Fruit count"
        type="number"
        value={fruit.count}
        onChange={(event) => change({ count: Number(event.target.value) })}
      />
    ),
  },
];

function Fruits({ initial, changed = () => undefined }: { initial: Fruit[]; changed?: (rows: Fruit[]) => void }) {
  const [rows, setRows] = useState(initial);
  return (
    <EditableRows
      rows={rows}
      onChange={(next) => {
        setRows(next);
        changed(next);
      }}
      columns={columns}
      rowKey={(fruit, index) => fruit.id ?? `new-${index}`}
      newRow={() => ({ id: null, name: "", count: 1 })}
      addLabel="Add a fruit"
      testId="fruits"
      rowTestId="fruit-row"
    />
  );
}

describe("EditableRows", () => {
  it("shows a header per column, a control per cell and a Remove button per row", () => {
    render(<Fruits initial={[{ id: 1, name: "apple", count: 3 }]} />);

    const table = screen.getByTestId("fruits");
    expect(within(table).getAllByRole("columnheader").map((header) => header.textContent)).toEqual([
      "Name",
      "Count",
      "Remove",
    ]);
    const [row] = screen.getAllByTestId("fruit-row");
    expect(within(row as HTMLElement).getByLabelText("Fruit name")).toHaveValue("apple");
    expect(within(row as HTMLElement).getByRole("button", { name: "Remove" })).toBeInTheDocument();
  });

  it("edits a row in place, appends a new row and removes the chosen one", async () => {
    const user = userEvent.setup();
    const changed = vi.fn();
    const latest = () => changed.mock.lastCall?.[0] as Fruit[];
    render(
      <Fruits
        initial={[
          { id: 1, name: "apple", count: 3 },
          { id: 2, name: "pear", count: 5 },
        ]}
        changed={changed}
      />,
    );

    await user.type(screen.getAllByLabelText("Fruit name")[1] as HTMLElement, "s");
    expect(latest()).toEqual([
      { id: 1, name: "apple", count: 3 },
      { id: 2, name: "pears", count: 5 },
    ]);

    await user.click(screen.getByRole("button", { name: "Add a fruit" }));
    expect(screen.getAllByTestId("fruit-row")).toHaveLength(3);
    expect(latest().at(-1)).toEqual({ id: null, name: "", count: 1 });

    const first = screen.getAllByTestId("fruit-row")[0] as HTMLElement;
    await user.click(within(first).getByRole("button", { name: "Remove" }));
    expect(latest().map((fruit) => fruit.name)).toEqual(["pears", ""]);
  });

  it("is read-only inside a disabled fieldset", () => {
    render(
      <fieldset disabled>
        <Fruits initial={[{ id: 1, name: "apple", count: 3 }]} />
      </fieldset>,
    );
    expect(screen.getByLabelText("Fruit name")).toBeDisabled();
    expect(screen.getByRole("button", { name: "Add a fruit" })).toBeDisabled();
  });
});
