import { useMutation } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { ApiToken } from "../types";

/** Create (or replace) the caller's API token; the old one stops working. */
export function createApiToken(): Promise<ApiToken> {
  return api.post<ApiToken>("/auth/token/");
}

export function useCreateApiToken() {
  return useMutation({ mutationFn: createApiToken });
}
