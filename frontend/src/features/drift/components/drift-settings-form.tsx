import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";

import type { DriftSettings, DriftSettingsInput } from "../types";

type NumberField = {
  key: Exclude<keyof DriftSettingsInput, "retrain_on_alarm" | "webhook_on_alarm">;
  label: string;
  min: number;
  max: number;
  step: number;
};

const NUMBER_FIELDS: NumberField[] = [
  { key: "score_psi_threshold", label: "Score PSI above", min: 0, max: 100, step: 0.01 },
  { key: "label_mix_psi_threshold", label: "Label-mix PSI above", min: 0, max: 100, step: 0.01 },
  { key: "domain_auc_threshold", label: "Domain AUC above", min: 0.5, max: 1, step: 0.01 },
  { key: "overturn_share_threshold", label: "Overturn share above", min: 0, max: 1, step: 0.01 },
  { key: "window_max_items", label: "A window closes at (items)", min: 50, max: 100000, step: 1 },
  { key: "window_hours", label: "…or after (hours)", min: 1, max: 744, step: 1 },
  { key: "min_window_items", label: "Smallest window judged (items)", min: 20, max: 100000, step: 1 },
  { key: "min_decisions", label: "Fewest decisions for the overturn share", min: 1, max: 10000, step: 1 },
];

type DriftSettingsFormProps = {
  initial: DriftSettings;
  readOnly: boolean;
  onSave: (input: Partial<DriftSettingsInput>) => void;
  saving: boolean;
  error: Error | null;
  saved: boolean;
};

export function DriftSettingsForm({ initial, readOnly, onSave, saving, error, saved }: DriftSettingsFormProps) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(NUMBER_FIELDS.map((field) => [field.key, String(initial[field.key] ?? "")])),
  );
  const [retrain, setRetrain] = useState(Boolean(initial.retrain_on_alarm));
  const [webhook, setWebhook] = useState(Boolean(initial.webhook_on_alarm));

  function submit(event: FormEvent) {
    event.preventDefault();
    const input: Partial<DriftSettingsInput> = { retrain_on_alarm: retrain, webhook_on_alarm: webhook };
    for (const field of NUMBER_FIELDS) input[field.key] = Number(values[field.key]);
    onSave(input);
  }

  return (
    <form className="stack" onSubmit={submit} data-testid="drift-settings-form">
      <fieldset disabled={readOnly} className="drift-settings-grid">
        <legend className="visually-hidden">Drift thresholds</legend>
        {NUMBER_FIELDS.map((field) => (
          <label key={field.key} className="field">
            <span>{field.label}</span>
            <input
              type="number"
              name={field.key}
              min={field.min}
              max={field.max}
              step={field.step}
              required
              value={values[field.key] ?? ""}
              onChange={(event) => setValues((current) => ({ ...current, [field.key]: event.target.value }))}
            />
          </label>
        ))}
        <label className="checkbox">
          <input type="checkbox" checked={retrain} onChange={(event) => setRetrain(event.target.checked)} />
          Start a training run on an alarm
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={webhook} onChange={(event) => setWebhook(event.target.checked)} />
          Send alarms to the webhooks of platforms granted this project&apos;s policies
        </label>
      </fieldset>
      {readOnly ? (
        <p className="hint">Project admins and ML engineers change these.</p>
      ) : (
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? "Saving…" : "Save thresholds"}
          </button>
          {saved ? <span role="status">Saved; windows closed from now on use them.</span> : null}
        </div>
      )}
      {error ? <ErrorMessage error={error} title="Could not save the thresholds" /> : null}
    </form>
  );
}
