import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { DriftSettings, DriftSettingsInput } from "../types";
import { driftQueryKey } from "./get-drift";

export function updateDriftSettings({
  projectId,
  input,
}: {
  projectId: number;
  input: Partial<DriftSettingsInput>;
}): Promise<DriftSettings> {
  return api.patch<DriftSettings>(`/projects/${projectId}/drift/settings/`, input);
}

export function useUpdateDriftSettings(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Partial<DriftSettingsInput>) => updateDriftSettings({ projectId, input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: driftQueryKey(projectId) }),
  });
}
