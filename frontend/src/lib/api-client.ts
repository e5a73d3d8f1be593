import { env } from "@/config/env";

/** The body of every API failure: `{"message": str, "extra": {...}}`. */
export type ApiErrorBody = {
  message: string;
  extra?: Record<string, unknown>;
};

/** A failed API call. `message` is the server's own explanation whenever it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(message: string, { status, extra = {} }: { status: number; extra?: Record<string, unknown> }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.extra = extra;
  }
}

export const CSRF_COOKIE_NAME = "csrftoken";
export const CSRF_HEADER_NAME = "X-CSRFToken";

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export type RequestOptions = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** A plain value is sent as JSON; FormData is sent as multipart (the browser sets the boundary). */
  body?: unknown;
  params?: QueryParams;
  signal?: AbortSignal;
};

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let pendingCsrf: Promise<string> | null = null;

/**
 * The CSRF token to send with an unsafe request.
 *
 * Django's index page sets the cookie, and `login()` rotates it, so the cookie is read fresh for
 * every request. Only when there is none (the dev server, or cleared cookies) is one asked for.
 */
async function csrfToken(): Promise<string> {
  const fromCookie = readCookie(CSRF_COOKIE_NAME);
  if (fromCookie) return fromCookie;
  pendingCsrf ??= fetch(`${env.apiUrl}/auth/csrf/`, { credentials: "same-origin" })
    .then(async (response) => {
      if (!response.ok) throw await apiErrorFromResponse(response);
      const body = (await response.json()) as { csrf_token: string };
      return readCookie(CSRF_COOKIE_NAME) ?? body.csrf_token;
    })
    .finally(() => {
      pendingCsrf = null;
    });
  return pendingCsrf;
}

/** `/api/v1` + path + query string; empty and undefined params are left out. */
export function apiUrl(path: string, params?: QueryParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    query.set(key, String(value));
  }
  const search = query.toString();
  return `${env.apiUrl}${path}${search ? `?${search}` : ""}`;
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string"
  );
}

function fallbackMessage(response: Response): string {
  switch (response.status) {
    case 413:
      return "The upload is larger than the server accepts.";
    case 502:
    case 503:
    case 504:
      return "The server is unavailable right now. Try again in a moment.";
    default:
      return `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
  }
}

/** Turn a failed response into an ApiError carrying the server's `message` and `extra`. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to a message from the status.
  }
  if (isErrorBody(body)) {
    const extra = typeof body.extra === "object" && body.extra !== null ? body.extra : {};
    return new ApiError(body.message, { status: response.status, extra });
  }
  return new ApiError(fallbackMessage(response), { status: response.status });
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers = new Headers({ Accept: "application/json" });
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(options.body);
  }
  if (UNSAFE_METHODS.has(method)) {
    headers.set(CSRF_HEADER_NAME, await csrfToken());
  }

  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.params), {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("Could not reach the server. Check the connection and try again.", {
      status: 0,
    });
  }

  if (!response.ok) throw await apiErrorFromResponse(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, params?: QueryParams, signal?: AbortSignal) =>
    apiRequest<T>(path, { params, signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: "POST", body }),
  patch: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: "PATCH", body }),
  put: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: "PUT", body }),
  delete: <T = void>(path: string) => apiRequest<T>(path, { method: "DELETE" }),
};

/** What to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}
