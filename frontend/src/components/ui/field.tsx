import type { ReactNode } from "react";

type FieldProps = {
  label: ReactNode;
  htmlFor: string;
  hint?: ReactNode;
  hintId?: string;
  children: ReactNode;
};

/** A label above its control, with an optional hint the control can reference by `hintId`. */
export function Field({ label, htmlFor, hint, hintId, children }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
