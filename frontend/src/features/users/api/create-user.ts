import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { UserCreated, UserCreateInput } from "../types";
import { usersQueryKey } from "./get-users";

/** Create a user; without a password the answer carries an `invitation_path` to hand over. */
export function createUser(input: UserCreateInput): Promise<UserCreated> {
  return api.post<UserCreated>("/users/", input);
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersQueryKey }),
  });
}
