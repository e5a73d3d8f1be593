import { useMutation, useQueryClient } from "@tanstack/react-query";

import { apiRequest } from "@/lib/api-client";

import type { ImportJob, ImportOptions } from "../types";
import { importQueryKey } from "./get-import";
import { importsQueryKey } from "./get-imports";

export type CreateImportInput = {
  projectId: number;
  files: File[];
  options?: ImportOptions;
};

/** Build the multipart body: one file as `file`, several (images) as repeated `files`. */
export function importFormData(files: File[], options: ImportOptions = {}): FormData {
  const body = new FormData();
  if (files.length === 1 && files[0]) {
    body.append("file", files[0]);
  } else {
    for (const file of files) body.append("files", file);
  }
  const fields: Record<string, string | undefined> = {
    format: options.format,
    text_column: options.textColumn?.trim(),
    label_column: options.labelColumn?.trim(),
    id_column: options.idColumn?.trim(),
    delimiter: options.delimiter,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value) body.append(key, value);
  }
  return body;
}

export function createImport({ projectId, files, options }: CreateImportInput): Promise<ImportJob> {
  return apiRequest<ImportJob>(`/projects/${projectId}/imports/`, {
    method: "POST",
    body: importFormData(files, options),
  });
}

export function useCreateImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createImport,
    onSuccess: (job, { projectId }) => {
      queryClient.setQueryData(importQueryKey(projectId, job.id), job);
      void queryClient.invalidateQueries({ queryKey: [...importsQueryKey(projectId), "list"] });
    },
  });
}
