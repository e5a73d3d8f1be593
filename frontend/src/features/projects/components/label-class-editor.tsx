import { useEffect, useRef } from "react";

import type { LabelClassDraft } from "../types";

/** The longest description the server keeps (LabelClass.description). */
export const LABEL_CLASS_DESCRIPTION_MAX = 2000;

export const LABEL_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2"];

let draftCounter = 0;

export function newLabelClassDraft(index: number, name = ""): LabelClassDraft {
  draftCounter += 1;
  return {
    key: `label-class-${draftCounter}`,
    name,
    colour: LABEL_COLOURS[index % LABEL_COLOURS.length] ?? "#4c78a8",
    hotkey: "",
    description: "",
  };
}

type LabelClassEditorProps = {
  value: LabelClassDraft[];
  onChange: (value: LabelClassDraft[]) => void;
};

/** Rows of name / colour / hotkey / description with add and remove; keyboard focus follows
 * the change. */
export function LabelClassEditor({ value, onChange }: LabelClassEditorProps) {
  const nameInputs = useRef(new Map<string, HTMLInputElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  // Which row's name input to focus once the parent has re-rendered with the new rows.
  const pendingFocus = useRef<string | null>(null);

  useEffect(() => {
    if (pendingFocus.current === null) return;
    (nameInputs.current.get(pendingFocus.current) ?? addButton.current)?.focus();
    pendingFocus.current = null;
  });

  function update(key: string, patch: Partial<LabelClassDraft>) {
    onChange(value.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  }

  function add() {
    const row = newLabelClassDraft(value.length);
    onChange([...value, row]);
    pendingFocus.current = row.key;
  }

  function remove(index: number) {
    const next = value.filter((_, i) => i !== index);
    onChange(next);
    // Keep focus in the list: on the row that moved up into this place, else the one before.
    pendingFocus.current = next[index]?.key ?? next[index - 1]?.key ?? "";
  }

  return (
    <fieldset className="label-class-editor">
      <legend>Label classes</legend>
      {value.length === 0 ? <p className="hint">No label classes yet.</p> : null}
      <ol className="label-class-rows">
        {value.map((row, index) => (
          <li key={row.key} className="label-class-row" data-testid={`label-class-row-${index}`}>
            <div className="field">
              <label htmlFor={`${row.key}-name`}>Name</label>
              <input
                id={`${row.key}-name`}
                ref={(element) => {
                  if (element) nameInputs.current.set(row.key, element);
                  else nameInputs.current.delete(row.key);
                }}
                required
                maxLength={100}
                value={row.name}
                onChange={(event) => update(row.key, { name: event.target.value })}
                data-testid={`label-class-name-${index}`}
              />
            </div>
            <div className="field">
              <label htmlFor={`${row.key}-colour`}>Colour</label>
              <input
                id={`${row.key}-colour`}
                type="color"
                value={row.colour}
                onChange={(event) => update(row.key, { colour: event.target.value })}
                data-testid={`label-class-colour-${index}`}
              />
            </div>
            <div className="field field-narrow">
              <label htmlFor={`${row.key}-hotkey`}>Hotkey</label>
              <input
                id={`${row.key}-hotkey`}
                maxLength={1}
                size={2}
                value={row.hotkey}
                placeholder={index < 9 ? String(index + 1) : ""}
                aria-describedby="label-class-hotkey-hint"
                onChange={(event) => update(row.key, { hotkey: event.target.value.slice(0, 1) })}
                data-testid={`label-class-hotkey-${index}`}
              />
            </div>
            <div className="field field-wide">
              <label htmlFor={`${row.key}-description`}>Description</label>
              <textarea
                id={`${row.key}-description`}
                rows={2}
                maxLength={LABEL_CLASS_DESCRIPTION_MAX}
                value={row.description}
                aria-describedby="label-class-description-hint"
                onChange={(event) => update(row.key, { description: event.target.value })}
                data-testid={`label-class-description-${index}`}
              />
            </div>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => remove(index)}
              aria-label={`Remove label class ${row.name || index + 1}`}
              data-testid={`remove-label-class-${index}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <p className="hint" id="label-class-hotkey-hint">
        One character; left empty, the first nine classes get 1–9.
      </p>
      <p className="hint" id="label-class-description-hint">
        What the class means, in a sentence. Before a model is trained, proposals come from how
        close each item is to the classes&apos; names, descriptions and guidelines.
      </p>
      <button
        type="button"
        className="btn btn-secondary"
        ref={addButton}
        onClick={add}
        data-testid="add-label-class"
      >
        Add label class
      </button>
    </fieldset>
  );
}
