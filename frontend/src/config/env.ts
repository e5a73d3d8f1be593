// The SPA is served by the same Django that serves the API, so every URL is same-origin.
export const env = {
  apiUrl: "/api/v1",
} as const;
