import type { components } from "@/types/api";

type Schemas = components["schemas"];

// Response and request shapes come from the backend's OpenAPI schema (`npm run gen:api`).
export type Platform = Schemas["PlatformOutput"];
export type ApiKey = Schemas["ApiKeyOutput"];
export type ApiKeyCreated = Schemas["ApiKeyCreatedOutput"];
export type ApiKeyScope = ApiKey["scopes"][number];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookEndpointCreated = Schemas["WebhookEndpointCreated"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type PolicyGrant = Schemas["PlatformPolicyGrant"];

/** The scopes a key can carry (moderation.services.platforms.SCOPES). */
export const API_KEY_SCOPES: readonly { value: ApiKeyScope; label: string; hint: string }[] = [
  { value: "intake", label: "Intake", hint: "send content to be checked" },
  { value: "reports", label: "Reports", hint: "forward user reports" },
  { value: "appeals", label: "Appeals", hint: "file appeals against decisions" },
];

/** One attempt in a delivery's log, as moderation.services.webhooks writes it. */
export type DeliveryAttempt = {
  attempt?: number;
  at?: string;
  status_code?: number | null;
  error?: string;
  duration_ms?: number | null;
};

/** The attempts of a delivery; the log is typed loosely in the schema, so it is checked here. */
export function deliveryAttempts(delivery: WebhookDelivery): DeliveryAttempt[] {
  if (!Array.isArray(delivery.log)) return [];
  return delivery.log.filter(
    (entry): entry is DeliveryAttempt => typeof entry === "object" && entry !== null,
  );
}
