import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import {
  EMBEDDER_LABELS,
  type Embedder,
  EMBEDDERS_BY_DATA_TYPE,
  SAMPLING_STRATEGY_LABELS,
  type SamplingStrategy,
  type TrainingSettings,
} from "../types";
import {
  AUDIT_RATE_MAX,
  AUDIT_RATE_MIN,
  draftFromSettings,
  FEW_SHOT_BUDGET_MAX,
  FEW_SHOT_BUDGET_MIN,
  MIN_LABELS_PER_CLASS_MAX,
  RETRAIN_EVERY_MAX,
  TARGET_PRECISION_MAX,
  TARGET_PRECISION_MIN,
  type TrainingSettingsErrors,
  validateTrainingSettings,
} from "../utils/training-settings";

type TrainingSettingsFormProps = {
  initial: TrainingSettings;
  dataType: "text" | "image";
  onSave: (settings: TrainingSettings) => void;
  saving?: boolean;
  /** The server's refusal of the last save, if any. */
  error?: unknown;
  saved?: boolean;
  /** Shown but not editable (the project's settings are changed by project admins). */
  readOnly?: boolean;
};

const errorId = (key: keyof TrainingSettings) => `settings-${key.replace(/_/g, "-")}-error`;

/** The error text under a field, tied to its control by `aria-describedby`. */
function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

export function TrainingSettingsForm({
  initial,
  dataType,
  onSave,
  saving = false,
  error,
  saved = false,
  readOnly = false,
}: TrainingSettingsFormProps) {
  const [draft, setDraft] = useState(() => draftFromSettings(initial));
  const [errors, setErrors] = useState<TrainingSettingsErrors>({});
  const embedders = EMBEDDERS_BY_DATA_TYPE[dataType];
  // One chosen for the other data type (set through the API) stays choosable rather than vanishing.
  const embedderOptions = !draft.embedder || embedders.includes(draft.embedder) ? embedders : [draft.embedder, ...embedders];

  function update<K extends keyof typeof draft>(key: K, value: (typeof draft)[K]) {
    setDraft((current) => ({ ...current, [key]: value }));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validateTrainingSettings(draft);
    if (result.errors) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    onSave(result.settings);
  }

  const describedBy = (key: keyof TrainingSettings, hintId: string) =>
    errors[key] ? `${hintId} ${errorId(key)}` : hintId;

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Training settings" data-testid="training-settings">
      {readOnly ? <p className="hint">Only project admins can change these settings.</p> : null}
      <fieldset className="stack" disabled={readOnly}>
        <legend>Active learning</legend>
        <div className="row">
          <Field
            label="Ask annotators about"
            htmlFor="settings-sampling-strategy"
            hintId="settings-sampling-strategy-hint"
            hint="Adaptive: each training run picks hybrid, highest entropy or random, whichever measures best on the dev split's labels."
          >
            <select
              id="settings-sampling-strategy"
              aria-describedby="settings-sampling-strategy-hint"
              value={draft.sampling_strategy}
              onChange={(event) => update("sampling_strategy", event.target.value as SamplingStrategy)}
              data-testid="settings-sampling-strategy"
            >
              {Object.entries(SAMPLING_STRATEGY_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Retrain after every"
            htmlFor="settings-retrain-every"
            hintId="settings-retrain-every-hint"
            hint="new human labels; 0 retrains only on “Train now” or on schedule."
          >
            <input
              id="settings-retrain-every"
              type="number"
              inputMode="numeric"
              min={0}
              max={RETRAIN_EVERY_MAX}
              step={1}
              value={draft.retrain_every}
              onChange={(event) => update("retrain_every", event.target.value)}
              aria-invalid={errors.retrain_every ? true : undefined}
              aria-describedby={describedBy("retrain_every", "settings-retrain-every-hint")}
              data-testid="settings-retrain-every"
            />
            <FieldError id={errorId("retrain_every")} message={errors.retrain_every} />
          </Field>
          <Field
            label="Labels per class before the model leads"
            htmlFor="settings-min-labels-per-class"
            hintId="settings-min-labels-per-class-hint"
            hint="Until two classes have this many, annotators see diverse items instead."
          >
            <input
              id="settings-min-labels-per-class"
              type="number"
              inputMode="numeric"
              min={1}
              max={MIN_LABELS_PER_CLASS_MAX}
              step={1}
              value={draft.min_labels_per_class}
              onChange={(event) => update("min_labels_per_class", event.target.value)}
              aria-invalid={errors.min_labels_per_class ? true : undefined}
              aria-describedby={describedBy("min_labels_per_class", "settings-min-labels-per-class-hint")}
              data-testid="settings-min-labels-per-class"
            />
            <FieldError id={errorId("min_labels_per_class")} message={errors.min_labels_per_class} />
          </Field>
          <Field label="Embedder" htmlFor="settings-embedder" hintId="settings-embedder-hint" hint="Changing it re-embeds every item.">
            <select
              id="settings-embedder"
              value={draft.embedder}
              onChange={(event) => update("embedder", event.target.value as Embedder | "")}
              aria-describedby="settings-embedder-hint"
              data-testid="settings-embedder"
            >
              <option value="">Default for {dataType === "image" ? "images" : "text"}</option>
              {embedderOptions.map((name) => (
                <option key={name} value={name}>
                  {EMBEDDER_LABELS[name]}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </fieldset>
      {dataType === "text" ? (
        <fieldset className="stack" disabled={readOnly}>
          <legend>Few-shot model</legend>
          <div className="field-checkbox">
            <input
              id="settings-few-shot-enabled"
              type="checkbox"
              checked={draft.few_shot_enabled}
              onChange={(event) => update("few_shot_enabled", event.target.checked)}
              aria-describedby="settings-few-shot-enabled-hint"
              data-testid="settings-few-shot-enabled"
            />
            <label htmlFor="settings-few-shot-enabled">Also fine-tune the text encoder on the labels</label>
          </div>
          <p id="settings-few-shot-enabled-hint" className="hint">
            Each training run also trains a few-shot model (SetFit method) and keeps it only when its held-out ROC AUC beats
            the standard model&apos;s. It learns more from few labels; when it wins, every item is embedded again.
          </p>
          <div className="row">
            <Field
              label="Fine-tuning time per run"
              htmlFor="settings-few-shot-budget"
              hintId="settings-few-shot-budget-hint"
              hint={`Seconds, from ${FEW_SHOT_BUDGET_MIN} to ${FEW_SHOT_BUDGET_MAX}.`}
            >
              <input
                id="settings-few-shot-budget"
                type="number"
                inputMode="numeric"
                min={FEW_SHOT_BUDGET_MIN}
                max={FEW_SHOT_BUDGET_MAX}
                step={1}
                value={draft.few_shot_budget_seconds}
                onChange={(event) => update("few_shot_budget_seconds", event.target.value)}
                aria-invalid={errors.few_shot_budget_seconds ? true : undefined}
                aria-describedby={describedBy("few_shot_budget_seconds", "settings-few-shot-budget-hint")}
                data-testid="settings-few-shot-budget"
              />
              <FieldError id={errorId("few_shot_budget_seconds")} message={errors.few_shot_budget_seconds} />
            </Field>
          </div>
        </fieldset>
      ) : null}
      <fieldset className="stack" disabled={readOnly}>
        <legend>Automatic labels</legend>
        <div className="field-checkbox">
          <input
            id="settings-auto-label-enabled"
            type="checkbox"
            checked={draft.auto_label_enabled}
            onChange={(event) => update("auto_label_enabled", event.target.checked)}
            data-testid="settings-auto-label-enabled"
          />
          <label htmlFor="settings-auto-label-enabled">Label confident items automatically</label>
        </div>
        <div className="row">
          <Field
            label="Target precision"
            htmlFor="settings-target-precision"
            hintId="settings-target-precision-hint"
            hint={`From ${TARGET_PRECISION_MIN} to ${TARGET_PRECISION_MAX}; the lower bound of the estimate must reach it.`}
          >
            <input
              id="settings-target-precision"
              type="number"
              inputMode="decimal"
              min={TARGET_PRECISION_MIN}
              max={TARGET_PRECISION_MAX}
              step={0.01}
              value={draft.auto_label_target_precision}
              onChange={(event) => update("auto_label_target_precision", event.target.value)}
              aria-invalid={errors.auto_label_target_precision ? true : undefined}
              aria-describedby={describedBy("auto_label_target_precision", "settings-target-precision-hint")}
              data-testid="settings-target-precision"
            />
            <FieldError id={errorId("auto_label_target_precision")} message={errors.auto_label_target_precision} />
          </Field>
          <Field
            label="Audit rate"
            htmlFor="settings-audit-rate"
            hintId="settings-audit-rate-hint"
            hint={`Share of automatic labels also sent to people, from ${AUDIT_RATE_MIN} to ${AUDIT_RATE_MAX}.`}
          >
            <input
              id="settings-audit-rate"
              type="number"
              inputMode="decimal"
              min={AUDIT_RATE_MIN}
              max={AUDIT_RATE_MAX}
              step={0.01}
              value={draft.audit_rate}
              onChange={(event) => update("audit_rate", event.target.value)}
              aria-invalid={errors.audit_rate ? true : undefined}
              aria-describedby={describedBy("audit_rate", "settings-audit-rate-hint")}
              data-testid="settings-audit-rate"
            />
            <FieldError id={errorId("audit_rate")} message={errors.audit_rate} />
          </Field>
        </div>
        <div className="field-checkbox">
          <input
            id="settings-train-on-auto-labels"
            type="checkbox"
            checked={draft.train_on_auto_labels}
            onChange={(event) => update("train_on_auto_labels", event.target.checked)}
            data-testid="settings-train-on-auto-labels"
          />
          <label htmlFor="settings-train-on-auto-labels">Train on automatic labels too</label>
        </div>
      </fieldset>
      <ErrorMessage error={error} title="The settings were not saved" />
      {saved && !error ? (
        <p role="status" className="alert alert-success" data-testid="settings-saved">
          Settings saved.
        </p>
      ) : null}
      {readOnly ? null : (
        <div>
          <button type="submit" className="btn btn-primary" disabled={saving} data-testid="settings-save">
            {saving ? "Saving…" : "Save settings"}
          </button>
        </div>
      )}
    </form>
  );
}
