import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { LoginInput, User } from "../types";
import { meQueryKey } from "./get-me";

export function login(input: LoginInput): Promise<User> {
  return api.post<User>("/auth/login/", input);
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (user) => {
      // Whatever was cached belonged to the previous session.
      queryClient.removeQueries();
      queryClient.setQueryData(meQueryKey, user);
    },
  });
}
