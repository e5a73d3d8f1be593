import type { components } from "@/types/api";

export type User = components["schemas"]["UserOutput"];
export type LoginInput = components["schemas"]["LoginInputRequest"];
export type InvitationAcceptInput = components["schemas"]["InvitationAcceptInputRequest"];
/** The answer to creating a token: the whole key (shown this once) and what is kept of it. */
export type ApiTokenCreated = components["schemas"]["ApiTokenCreated"];
/** What the server keeps of a token: its first characters and dates, never the key. */
export type ApiTokenInfo = components["schemas"]["ApiTokenInfo"];
