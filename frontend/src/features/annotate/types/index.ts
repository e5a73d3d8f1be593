import type { components } from "@/types/api";

type Schemas = components["schemas"];

/** The project as the workspace needs it (the route hands it over from the project page). */
export type WorkspaceProject = Pick<
  Schemas["ProjectOutput"],
  "id" | "name" | "data_type" | "task_type" | "guidelines_html" | "label_classes"
>;
export type LabelClass = Schemas["LabelClass"];

/** An item's content as the annotator sees it (never other people's labels). */
export type AssignmentItem = Schemas["QueueItem"];
export type Suggestion = Schemas["QueueSuggestion"];
/** An item leased to the signed-in user, with the model's proposal shown alongside it. */
export type Assignment = Schemas["QueueAssignment"];
export type NextAssignment = Schemas["QueueNextOutput"];
/** One of the user's own annotations. */
export type QueueAnnotation = Schemas["QueueAnnotation"];
/** A submitted answer; `next` is the next leased item when the submit asked for it. */
export type SubmittedAnnotation = Schemas["QueueSubmitOutput"];
export type QueueStats = Schemas["QueueStats"];
export type QueueModel = Schemas["QueueModel"];
export type ItemFlag = Schemas["Flag"];
/** Items like the one on screen, nearest first (`exact` false: from the fast first pass). */
export type SimilarItems = Schemas["SimilarItemsOutput"];
export type SimilarItem = Schemas["SimilarItemOutput"];
