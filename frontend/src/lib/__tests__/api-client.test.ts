import { describe, expect, it, vi } from "vitest";

import { ApiError, apiRequest, apiUrl, errorMessage } from "@/lib/api-client";
import { jsonResponse } from "@/testing/test-utils";

function mockFetch(...responses: (Response | Error)[]) {
  const queue = [...responses];
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
    const next = queue.shift();
    if (!next) throw new Error("unexpected fetch");
    if (next instanceof Error) throw next;
    return next;
  });
}

function sentHeaders(fetchMock: ReturnType<typeof mockFetch>, call = 0): Headers {
  const init = fetchMock.mock.calls[call]?.[1];
  return new Headers(init?.headers);
}

describe("apiRequest", () => {
  it("sends the csrftoken cookie back as X-CSRFToken on unsafe requests, with same-origin credentials", async () => {
    document.cookie = "csrftoken=abc123";
    const fetchMock = mockFetch(jsonResponse({ id: 1 }, { status: 201 }));

    const body = await apiRequest<{ id: number }>("/projects/", { method: "POST", body: { name: "SMS" } });

    expect(body).toEqual({ id: 1 });
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe("/api/v1/projects/");
    expect(init?.method).toBe("POST");
    expect(init?.credentials).toBe("same-origin");
    expect(init?.body).toBe(JSON.stringify({ name: "SMS" }));
    expect(sentHeaders(fetchMock).get("X-CSRFToken")).toBe("abc123");
    expect(sentHeaders(fetchMock).get("Content-Type")).toBe("application/json");
  });

  it("reads the cookie afresh for each request, since logging in rotates it", async () => {
    document.cookie = "csrftoken=before-login";
    const fetchMock = mockFetch(jsonResponse({}), jsonResponse({}));

    await apiRequest("/auth/login/", { method: "POST", body: {} });
    document.cookie = "csrftoken=after-login";
    await apiRequest("/auth/logout/", { method: "POST" });

    expect(sentHeaders(fetchMock, 0).get("X-CSRFToken")).toBe("before-login");
    expect(sentHeaders(fetchMock, 1).get("X-CSRFToken")).toBe("after-login");
  });

  it("asks the API for a CSRF cookie first when there is none", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      if (String(input) === "/api/v1/auth/csrf/") {
        document.cookie = "csrftoken=fresh";
        return jsonResponse({ csrf_token: "fresh" });
      }
      return new Response(null, { status: 204 });
    });

    await apiRequest("/auth/logout/", { method: "POST" });

    expect(fetchMock.mock.calls.map(([input]) => String(input))).toEqual([
      "/api/v1/auth/csrf/",
      "/api/v1/auth/logout/",
    ]);
    expect(sentHeaders(fetchMock, 1).get("X-CSRFToken")).toBe("fresh");
  });

  it("sends no CSRF header on reads", async () => {
    document.cookie = "csrftoken=abc123";
    const fetchMock = mockFetch(jsonResponse({ count: 0, results: [] }));

    await apiRequest("/projects/", { params: { page: 2, search: "", split: undefined } });

    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/v1/projects/?page=2");
    expect(sentHeaders(fetchMock).has("X-CSRFToken")).toBe(false);
  });

  it("leaves multipart bodies to the browser, so it can set the boundary", async () => {
    document.cookie = "csrftoken=abc123";
    const fetchMock = mockFetch(jsonResponse({ id: 3, status: "queued" }, { status: 202 }));
    const form = new FormData();
    form.append("file", new File(["Label\tSMS\n"], "sms.tsv"));

    await apiRequest("/projects/1/imports/", { method: "POST", body: form });

    expect(fetchMock.mock.calls[0]?.[1]?.body).toBe(form);
    expect(sentHeaders(fetchMock).has("Content-Type")).toBe(false);
    expect(sentHeaders(fetchMock).get("X-CSRFToken")).toBe("abc123");
  });

  it("turns an error body into an ApiError carrying the server's message, status and extra", async () => {
    document.cookie = "csrftoken=abc123";
    mockFetch(
      jsonResponse(
        { message: "A binary project needs exactly two label classes.", extra: { field: "label_classes" } },
        { status: 400 },
      ),
    );

    const error = await apiRequest("/projects/", { method: "POST", body: {} }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe("A binary project needs exactly two label classes.");
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).extra).toEqual({ field: "label_classes" });
    expect(errorMessage(error)).toBe("A binary project needs exactly two label classes.");
  });

  it("keeps the message of a rate-limited login", async () => {
    document.cookie = "csrftoken=abc123";
    mockFetch(
      jsonResponse(
        { message: "Request was throttled. Expected available in 42 seconds.", extra: { retry_after_seconds: 42 } },
        { status: 429 },
      ),
    );

    await expect(apiRequest("/auth/login/", { method: "POST", body: {} })).rejects.toMatchObject({
      status: 429,
      message: "Request was throttled. Expected available in 42 seconds.",
      extra: { retry_after_seconds: 42 },
    });
  });

  it("explains a failure whose body is not JSON from its status", async () => {
    mockFetch(new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));

    await expect(apiRequest("/projects/")).rejects.toMatchObject({
      status: 502,
      message: "The server is unavailable right now. Try again in a moment.",
    });
  });

  it("reports a network failure as an ApiError with status 0", async () => {
    mockFetch(new TypeError("Failed to fetch"));

    await expect(apiRequest("/projects/")).rejects.toMatchObject({
      status: 0,
      message: "Could not reach the server. Check the connection and try again.",
    });
  });

  it("returns undefined for 204 No Content", async () => {
    document.cookie = "csrftoken=abc123";
    mockFetch(new Response(null, { status: 204 }));

    await expect(apiRequest("/projects/1/", { method: "DELETE" })).resolves.toBeUndefined();
  });
});

describe("apiUrl", () => {
  it("encodes parameters and leaves out empty ones", () => {
    expect(apiUrl("/projects/1/export/", { format: "csv", source: undefined, labeled_only: "true" })).toBe(
      "/api/v1/projects/1/export/?format=csv&labeled_only=true",
    );
    expect(apiUrl("/projects/1/items/", { search: "a&b c" })).toBe("/api/v1/projects/1/items/?search=a%26b+c");
  });
});
