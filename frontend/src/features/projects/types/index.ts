import type { components } from "@/types/api";

export type Project = components["schemas"]["ProjectOutput"];
export type ProjectCreateInput = components["schemas"]["ProjectCreateInputRequest"];
export type ProjectUpdateInput = components["schemas"]["PatchedProjectUpdateInputRequest"];
export type LabelClass = components["schemas"]["LabelClass"];
export type DataType = components["schemas"]["DataTypeEnum"];
export type TaskType = components["schemas"]["TaskTypeEnum"];

/** A label class being edited; `key` keeps React rows stable while rows are added and removed. */
export type LabelClassDraft = {
  key: string;
  name: string;
  colour: string;
  hotkey: string;
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
