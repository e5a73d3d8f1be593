import type { LabelKey } from "../utils/keymap";

type LabelButtonsProps = {
  labelKeys: readonly LabelKey[];
  multilabel: boolean;
  mode: "choose" | "reject";
  selection: readonly string[];
  /** The model's proposal (marked; not pickable after a rejection). */
  proposed: readonly string[];
  /** The labels given earlier, while an earlier answer is reopened. */
  earlier: readonly string[] | null;
  disabled: boolean;
  onPick: (label: string) => void;
};

/** One button per label class, with the key that picks it; the mouse works as well as the keys. */
export function LabelButtons({
  labelKeys,
  multilabel,
  mode,
  selection,
  proposed,
  earlier,
  disabled,
  onPick,
}: LabelButtonsProps) {
  return (
    <ul className="label-buttons" aria-label="Labels" data-testid="label-buttons">
      {labelKeys.map((labelKey) => {
        const isProposed = proposed.includes(labelKey.name);
        const classes = ["label-button", isProposed ? "proposed" : "", earlier?.includes(labelKey.name) ? "earlier" : ""];
        return (
          <li key={labelKey.name}>
            <button
              type="button"
              className={classes.filter(Boolean).join(" ")}
              style={labelKey.colour ? { borderLeftColor: labelKey.colour } : undefined}
              aria-pressed={multilabel ? selection.includes(labelKey.name) : undefined}
              aria-keyshortcuts={labelKey.key ?? undefined}
              title={labelKey.description}
              disabled={disabled || (!multilabel && mode === "reject" && isProposed)}
              onClick={() => onPick(labelKey.name)}
              data-testid="label-button"
              data-label={labelKey.name}
            >
              {labelKey.key ? <kbd>{labelKey.key}</kbd> : null}
              <span>{labelKey.name}</span>
              {isProposed ? <span className="visually-hidden"> (proposed)</span> : null}
              {earlier?.includes(labelKey.name) ? <span className="hint">(your label)</span> : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
