import type { components } from "@/types/api";

export type SiteUser = components["schemas"]["UserOutput"];
export type UserCreateInput = components["schemas"]["UserCreateInputRequest"];
export type UserCreated = components["schemas"]["UserCreated"];
