import { useMutation } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

export function revokeApiToken(): Promise<void> {
  return api.delete("/auth/token/");
}

export function useRevokeApiToken() {
  return useMutation({ mutationFn: revokeApiToken });
}
