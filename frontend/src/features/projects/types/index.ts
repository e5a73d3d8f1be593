import type { components } from "@/types/api";

export type Project = components["schemas"]["ProjectOutput"];
/** A row of the projects list: a project with what is happening in it now. */
export type ProjectListItem = components["schemas"]["ProjectListOutput"];
export type ProjectStatus = components["schemas"]["ProjectStatus"];
export type ProjectStatusFailure = components["schemas"]["ProjectStatusFailure"];
export type LabelClassUpdate = components["schemas"]["LabelClassUpdateRequest"];
export type GuidelinesPreview = components["schemas"]["GuidelinesPreviewOutput"];
export type ProjectCreateInput = components["schemas"]["ProjectCreateInputRequest"];
export type ProjectUpdateInput = components["schemas"]["PatchedProjectUpdateInputRequest"];
export type LabelClass = components["schemas"]["LabelClass"];
export type DataType = components["schemas"]["DataTypeEnum"];
export type TaskType = components["schemas"]["TaskTypeEnum"];

/** A label class being edited; `key` keeps React rows stable while rows are added and removed. */
export type LabelClassDraft = {
  key: string;
  /** The saved class this row edits; absent for a class not saved yet. */
  id?: number;
  name: string;
  colour: string;
  hotkey: string;
  /** What the class means, as plain text (zero-shot proposals compare items with it). */
  description: string;
};

export const DATA_TYPE_LABELS: Record<DataType, string> = {
  text: "Text",
  image: "Image",
};

export const TASK_TYPE_LABELS: Record<TaskType, string> = {
  binary: "Binary (two classes)",
  multiclass: "Multiclass (one of several)",
  multilabel: "Multilabel (any number)",
};

export const ROLE_LABELS: Record<string, string> = {
  admin: "Admin",
  ml_engineer: "ML engineer",
  annotator: "Annotator",
  moderator: "Moderator",
  senior_moderator: "Senior moderator",
};
