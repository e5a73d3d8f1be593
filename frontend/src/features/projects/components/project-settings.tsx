import { type FormEvent, type ReactNode, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { usePreviewGuidelines } from "../api/preview-guidelines";
import { useUpdateProject } from "../api/update-project";
import type { LabelClassDraft, Project, ProjectUpdateInput } from "../types";
import { draftsFromLabelClasses, fieldError, labelClassesForUpdate } from "../utils/project-settings";
import { LabelClassEditor } from "./label-class-editor";

type SectionProps = {
  project: Project;
  /** Where the Models tab's learning settings are, for the hint under the general section. */
  learningSettingsLink?: ReactNode;
};

/** The project's settings in three parts, each saved on its own so a refusal names its part. */
export function ProjectSettings({ project, learningSettingsLink }: SectionProps) {
  return (
    <div className="stack" data-testid="project-settings">
      <GeneralSettings project={project} learningSettingsLink={learningSettingsLink} />
      <LabelClassSettings project={project} />
      <GuidelinesSettings project={project} />
    </div>
  );
}

/** One save of part of the settings: "Saved" after success, the server's reason after a refusal. */
function useSectionSave() {
  const update = useUpdateProject();
  function save(projectId: number, input: ProjectUpdateInput) {
    update.mutate({ projectId, input });
  }
  return { save, update };
}

function SaveRow({ section, pending, saved, dirty }: { section: string; pending: boolean; saved: boolean; dirty: boolean }) {
  return (
    <div className="row settings-save-row">
      <button type="submit" className="btn btn-primary" disabled={pending} data-testid={`save-${section}`}>
        {pending ? "Saving…" : "Save"}
      </button>
      {saved && !dirty ? (
        <span className="status-succeeded" role="status" data-testid={`saved-${section}`}>
          Saved
        </span>
      ) : null}
      {dirty ? <span className="hint">Unsaved changes</span> : null}
    </div>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error" data-testid={id}>
      {message}
    </p>
  );
}

function GeneralSettings({ project, learningSettingsLink }: SectionProps) {
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description ?? "");
  const [perItem, setPerItem] = useState(String(project.annotations_per_item ?? 1));
  const { save, update } = useSectionSave();
  const dirty =
    name !== project.name ||
    description !== (project.description ?? "") ||
    perItem !== String(project.annotations_per_item ?? 1);
  const nameError = fieldError(update.error, "name");
  const descriptionError = fieldError(update.error, "description");
  const perItemError = fieldError(update.error, "annotations_per_item");
  const otherError = update.error && !nameError && !descriptionError && !perItemError ? update.error : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save(project.id, { name: name.trim(), description, annotations_per_item: Number(perItem) });
  }

  return (
    <form className="stack card" onSubmit={submit} noValidate aria-labelledby="settings-general-heading">
      <h2 id="settings-general-heading">General</h2>
      <Field label="Name" htmlFor="settings-name">
        <input
          id="settings-name"
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? "settings-name-error" : undefined}
          data-testid="settings-name"
        />
        <FieldError id="settings-name-error" message={nameError} />
      </Field>
      <Field label="Description" htmlFor="settings-description">
        <textarea
          id="settings-description"
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={descriptionError ? "settings-description-error" : undefined}
          data-testid="settings-description"
        />
        <FieldError id="settings-description-error" message={descriptionError} />
      </Field>
      <Field
        label="Annotations per item"
        htmlFor="settings-annotations-per-item"
        hintId="settings-annotations-per-item-hint"
        hint="How many people label each item (1–20). Two or more measure agreement on the Dashboard."
      >
        <input
          id="settings-annotations-per-item"
          className="input-narrow"
          type="number"
          inputMode="numeric"
          min={1}
          max={20}
          value={perItem}
          onChange={(event) => setPerItem(event.target.value)}
          aria-invalid={perItemError ? true : undefined}
          aria-describedby={`settings-annotations-per-item-hint${perItemError ? " settings-annotations-per-item-error" : ""}`}
          data-testid="settings-annotations-per-item"
        />
        <FieldError id="settings-annotations-per-item-error" message={perItemError} />
      </Field>
      {learningSettingsLink ? <p className="hint">{learningSettingsLink}</p> : null}
      <ErrorMessage error={otherError} title="Could not save" />
      <SaveRow section="general" pending={update.isPending} saved={update.isSuccess} dirty={dirty} />
    </form>
  );
}

function LabelClassSettings({ project }: { project: Project }) {
  const [drafts, setDrafts] = useState<LabelClassDraft[]>(() => draftsFromLabelClasses(project.label_classes));
  const update = useUpdateProject();
  const saved = labelClassesForUpdate(draftsFromLabelClasses(project.label_classes));
  const dirty = JSON.stringify(labelClassesForUpdate(drafts)) !== JSON.stringify(saved);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate(
      { projectId: project.id, input: { label_classes: labelClassesForUpdate(drafts) } },
      // New classes come back with ids: the rows take them, so a later rename is a rename.
      { onSuccess: (next) => setDrafts(draftsFromLabelClasses(next.label_classes)) },
    );
  }

  return (
    <form className="stack card" onSubmit={submit} noValidate aria-labelledby="settings-classes-heading">
      <h2 id="settings-classes-heading">Label classes</h2>
      <p className="hint">
        {project.task_type === "binary"
          ? "A binary project has exactly two classes. "
          : "A project needs at least two classes. "}
        A class that labels already use cannot be removed or renamed: labels, exports and trained models refer
        to it by name.
      </p>
      <LabelClassEditor value={drafts} onChange={setDrafts} />
      <ErrorMessage error={update.error} title="Could not save the label classes" />
      <SaveRow section="classes" pending={update.isPending} saved={update.isSuccess} dirty={dirty} />
    </form>
  );
}

function GuidelinesSettings({ project }: { project: Project }) {
  const [guidelines, setGuidelines] = useState(project.guidelines ?? "");
  const [showPreview, setShowPreview] = useState(false);
  const { save, update } = useSectionSave();
  const preview = usePreviewGuidelines();
  const dirty = guidelines !== (project.guidelines ?? "");
  const guidelinesError = fieldError(update.error, "guidelines");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save(project.id, { guidelines });
  }

  function togglePreview() {
    if (showPreview) {
      setShowPreview(false);
      return;
    }
    setShowPreview(true);
    preview.mutate({ projectId: project.id, guidelines });
  }

  return (
    <form className="stack card" onSubmit={submit} noValidate aria-labelledby="settings-guidelines-heading">
      <h2 id="settings-guidelines-heading">Guidelines</h2>
      <div className="row">
        <button
          type="button"
          className="btn btn-secondary"
          aria-pressed={showPreview}
          onClick={togglePreview}
          data-testid="guidelines-preview-toggle"
        >
          {showPreview ? "Edit" : "Preview"}
        </button>
      </div>
      {showPreview ? (
        <div className="guidelines-preview" data-testid="guidelines-preview">
          {preview.isPending ? <p className="loading">Rendering…</p> : null}
          <ErrorMessage error={preview.error} title="Could not render the preview" />
          {preview.data ? (
            preview.data.guidelines_html ? (
              // Rendered from Markdown and cleaned by nh3 on the server, exactly as saving does and
              // as the annotate workspace's guidelines window shows it.
              // eslint-disable-next-line no-restricted-syntax
              <div className="guidelines" dangerouslySetInnerHTML={{ __html: preview.data.guidelines_html }} />
            ) : (
              <p className="hint">Nothing to show: the guidelines are empty.</p>
            )
          ) : null}
        </div>
      ) : (
        <Field
          label="Guidelines (Markdown)"
          htmlFor="settings-guidelines"
          hintId="settings-guidelines-hint"
          hint="Annotators open them with the Guidelines button (or G) while they label."
        >
          <textarea
            id="settings-guidelines"
            rows={8}
            value={guidelines}
            onChange={(event) => setGuidelines(event.target.value)}
            aria-invalid={guidelinesError ? true : undefined}
            aria-describedby={`settings-guidelines-hint${guidelinesError ? " settings-guidelines-error" : ""}`}
            data-testid="settings-guidelines"
          />
          <FieldError id="settings-guidelines-error" message={guidelinesError} />
        </Field>
      )}
      <ErrorMessage error={guidelinesError ? null : update.error} title="Could not save the guidelines" />
      <SaveRow section="guidelines" pending={update.isPending} saved={update.isSuccess} dirty={dirty} />
    </form>
  );
}
