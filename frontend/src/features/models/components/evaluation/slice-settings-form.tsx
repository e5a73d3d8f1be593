import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { useEvaluationSettings } from "../../api/get-evaluation-settings";
import { useUpdateEvaluationSettings } from "../../api/update-evaluation-settings";
import type { EvaluationSettings } from "../../types";

export const MAX_SLICE_FIELDS = 8;

const BUILTIN_LABELS: Record<string, string> = { text_length: "Text length (characters, in five buckets)" };

type Update = ReturnType<typeof useUpdateEvaluationSettings>;

function Form({
  projectId,
  settings,
  readOnly,
  update,
}: {
  projectId: number;
  settings: EvaluationSettings;
  readOnly: boolean;
  update: Update;
}) {
  const [chosen, setChosen] = useState<string[]>(settings.slice_fields);
  // A declared field no recent item has any more is still listed, so it can be removed.
  const options = [
    ...settings.builtin_fields,
    ...settings.metadata_fields,
    ...settings.slice_fields.filter(
      (name) => !settings.builtin_fields.includes(name) && !settings.metadata_fields.includes(name),
    ),
  ];
  const tooMany = chosen.length > MAX_SLICE_FIELDS;

  function toggle(name: string) {
    setChosen((current) => (current.includes(name) ? current.filter((field) => field !== name) : [...current, name]));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!tooMany) update.mutate({ projectId, sliceFields: chosen });
  }

  return (
    <form className="stack" onSubmit={submit} data-testid="slice-settings">
      <fieldset disabled={readOnly}>
        <legend>Slices: evaluate every version per value of these fields</legend>
        {options.length === 0 ? (
          <p className="hint">The items have no metadata fields yet: import items with metadata to slice by them.</p>
        ) : (
          <div className="checkbox-list">
            {options.map((name) => (
              <label key={name} className="checkbox-row">
                <input type="checkbox" checked={chosen.includes(name)} onChange={() => toggle(name)} />{" "}
                <bdi>{BUILTIN_LABELS[name] ?? name}</bdi>
              </label>
            ))}
          </div>
        )}
        <p className="hint">
          At most {MAX_SLICE_FIELDS} fields; the {settings.max_values - 1} most frequent values of each are shown, the rest
          pooled as “(other)”. A value needs {settings.min_support} held-out items to be ranked worst. New versions use
          these fields; evaluate an existing version again to see them.
        </p>
        {tooMany ? (
          <p className="field-error" role="alert">
            Choose at most {MAX_SLICE_FIELDS} fields.
          </p>
        ) : null}
      </fieldset>
      {readOnly ? (
        <p className="hint">Project admins choose the slice fields.</p>
      ) : (
        <div>
          <button type="submit" className="button" disabled={update.isPending || tooMany}>
            Save slice fields
          </button>
        </div>
      )}
      {update.error ? <ErrorMessage error={update.error} title="Could not save the slice fields" /> : null}
      {update.isSuccess ? (
        <p className="alert alert-success" role="status">
          Saved. Evaluate a version again to see its slices.
        </p>
      ) : null}
    </form>
  );
}

/** The project's slice fields (Models tab settings). */
export function SliceSettingsForm({ projectId, readOnly = false }: { projectId: number; readOnly?: boolean }) {
  const settings = useEvaluationSettings({ projectId });
  // Here, not in the form: the form starts afresh from the saved fields, the outcome stays.
  const update = useUpdateEvaluationSettings();
  if (settings.isPending) return <Loading label="Loading the slice settings…" />;
  if (!settings.data) return <ErrorMessage error={settings.error} title="Could not load the slice settings" />;
  return (
    <Form
      key={settings.data.slice_fields.join("\u0000")}
      projectId={projectId}
      settings={settings.data}
      readOnly={readOnly}
      update={update}
    />
  );
}
