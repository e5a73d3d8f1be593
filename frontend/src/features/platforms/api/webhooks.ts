import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointCreated } from "../types";
import { platformKeys } from "./keys";

export function getWebhooks(platformId: number): Promise<Paginated<WebhookEndpoint>> {
  return api.get<Paginated<WebhookEndpoint>>(`/moderation/platforms/${platformId}/webhooks/`, {
    page_size: 500,
  });
}

export function useWebhooks(platformId: number) {
  return useQuery({ queryKey: platformKeys.webhooks(platformId), queryFn: () => getWebhooks(platformId) });
}

type CreateInput = { platformId: number; url: string; secret: string };

/**
 * Add an endpoint. The answer holds the signing secret this one time. The server refuses (400) a
 * URL resolving to a private, loopback or link-local address, with a message saying so.
 */
export function createWebhook({ platformId, url, secret }: CreateInput): Promise<WebhookEndpointCreated> {
  return api.post<WebhookEndpointCreated>(`/moderation/platforms/${platformId}/webhooks/`, {
    url,
    ...(secret ? { secret } : {}),
  });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createWebhook,
    onSuccess: (_data, input) => {
      void queryClient.invalidateQueries({ queryKey: platformKeys.webhooks(input.platformId) });
    },
  });
}

/** The endpoint's deliveries, newest first, each with its log of attempts. */
export function getDeliveries(endpointId: number, page: number): Promise<Paginated<WebhookDelivery>> {
  return api.get<Paginated<WebhookDelivery>>(`/moderation/webhooks/${endpointId}/deliveries/`, { page });
}

export function useDeliveries(endpointId: number, page: number) {
  return useQuery({
    queryKey: platformKeys.deliveries(endpointId, page),
    queryFn: () => getDeliveries(endpointId, page),
    placeholderData: keepPreviousData,
  });
}
