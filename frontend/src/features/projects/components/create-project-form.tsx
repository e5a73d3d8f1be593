import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useCreateProject } from "../api/create-project";
import {
  DATA_TYPE_LABELS,
  type DataType,
  type LabelClassDraft,
  type Project,
  type ProjectCreateInput,
  TASK_TYPE_LABELS,
  type TaskType,
} from "../types";
import { LabelClassEditor, newLabelClassDraft } from "./label-class-editor";

export function toCreateInput(form: {
  name: string;
  description: string;
  dataType: DataType;
  taskType: TaskType;
  labelClasses: LabelClassDraft[];
  guidelines: string;
  annotationsPerItem: number;
}): ProjectCreateInput {
  return {
    name: form.name.trim(),
    description: form.description,
    data_type: form.dataType,
    task_type: form.taskType,
    guidelines: form.guidelines,
    annotations_per_item: form.annotationsPerItem,
    label_classes: form.labelClasses.map(({ name, colour, hotkey, description }) => ({
      name: name.trim(),
      colour,
      ...(hotkey ? { hotkey } : {}),
      ...(description ? { description } : {}),
    })),
  };
}

export function CreateProjectForm({ onCreated }: { onCreated: (project: Project) => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [dataType, setDataType] = useState<DataType>("text");
  const [taskType, setTaskType] = useState<TaskType>("binary");
  const [labelClasses, setLabelClasses] = useState<LabelClassDraft[]>(() => [
    newLabelClassDraft(0),
    newLabelClassDraft(1),
  ]);
  const [guidelines, setGuidelines] = useState("");
  const [annotationsPerItem, setAnnotationsPerItem] = useState(1);
  const create = useCreateProject();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = toCreateInput({
      name,
      description,
      dataType,
      taskType,
      labelClasses,
      guidelines,
      annotationsPerItem,
    });
    create.mutate(input, { onSuccess: onCreated });
  }

  return (
    <form className="stack" onSubmit={submit}>
      <Field label="Name" htmlFor="project-name">
        <input
          id="project-name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          data-testid="project-name"
        />
      </Field>
      <Field label="Description" htmlFor="project-description">
        <textarea
          id="project-description"
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          data-testid="project-description"
        />
      </Field>
      <div className="row">
        <Field label="Data type" htmlFor="project-data-type">
          <select
            id="project-data-type"
            value={dataType}
            onChange={(event) => setDataType(event.target.value as DataType)}
            data-testid="project-data-type"
          >
            {Object.entries(DATA_TYPE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Task type" htmlFor="project-task-type">
          <select
            id="project-task-type"
            value={taskType}
            onChange={(event) => setTaskType(event.target.value as TaskType)}
            data-testid="project-task-type"
          >
            {Object.entries(TASK_TYPE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Annotations per item" htmlFor="project-annotations-per-item">
          <input
            id="project-annotations-per-item"
            type="number"
            min={1}
            max={20}
            required
            value={annotationsPerItem}
            onChange={(event) => setAnnotationsPerItem(Number(event.target.value))}
          />
        </Field>
      </div>
      <LabelClassEditor value={labelClasses} onChange={setLabelClasses} />
      <Field
        label="Guidelines"
        htmlFor="project-guidelines"
        hint="Markdown. Annotators see it beside every item."
        hintId="project-guidelines-hint"
      >
        <textarea
          id="project-guidelines"
          rows={8}
          value={guidelines}
          aria-describedby="project-guidelines-hint"
          onChange={(event) => setGuidelines(event.target.value)}
          data-testid="project-guidelines"
        />
      </Field>
      <ErrorMessage error={create.error} title="Could not create the project" />
      <div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending}
          data-testid="project-create-submit"
        >
          {create.isPending ? "Creating…" : "Create project"}
        </button>
      </div>
    </form>
  );
}
