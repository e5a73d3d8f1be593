import { ApiError } from "@/lib/api-client";

import type { LabelClass, LabelClassDraft, LabelClassUpdate } from "../types";

/** Editable rows for the saved classes, keeping each class's id so a new name renames it. */
export function draftsFromLabelClasses(labelClasses: LabelClass[]): LabelClassDraft[] {
  return [...labelClasses]
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((labelClass) => ({
      key: `label-class-saved-${labelClass.id}`,
      id: labelClass.id,
      name: labelClass.name,
      colour: labelClass.colour ?? "#4c78a8",
      hotkey: labelClass.hotkey ?? "",
      description: labelClass.description ?? "",
    }));
}

/** What PATCH /projects/{id}/ takes as `label_classes`: rows in order, saved ones by id. */
export function labelClassesForUpdate(drafts: LabelClassDraft[]): LabelClassUpdate[] {
  return drafts.map(({ id, name, colour, hotkey, description }) => ({
    ...(id === undefined ? {} : { id }),
    name: name.trim(),
    colour,
    ...(hotkey ? { hotkey } : {}),
    description,
  }));
}

/** The server's complaint about one field of a refused save (`extra.fields[field]`), if any. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const fields = error.extra["fields"];
  if (typeof fields !== "object" || fields === null) return undefined;
  return firstMessage((fields as Record<string, unknown>)[field]);
}

function firstMessage(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const entry of value) {
      const message = firstMessage(entry);
      if (message) return message;
    }
  }
  if (typeof value === "object" && value !== null) {
    for (const entry of Object.values(value)) {
      const message = firstMessage(entry);
      if (message) return message;
    }
  }
  return undefined;
}
