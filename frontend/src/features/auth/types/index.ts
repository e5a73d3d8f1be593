import type { components } from "@/types/api";

export type User = components["schemas"]["UserOutput"];
export type LoginInput = components["schemas"]["LoginInputRequest"];
export type InvitationAcceptInput = components["schemas"]["InvitationAcceptInputRequest"];
export type ApiToken = components["schemas"]["ApiToken"];
