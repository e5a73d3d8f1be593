import { useMutation } from "@tanstack/react-query";

import { api } from "@/lib/api-client";

import type { InvitationAcceptInput, User } from "../types";

export function acceptInvitation(input: InvitationAcceptInput): Promise<User> {
  return api.post<User>("/auth/invitations/accept/", input);
}

export function useAcceptInvitation() {
  return useMutation({ mutationFn: acceptInvitation });
}
