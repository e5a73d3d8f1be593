import { afterEach, describe, expect, it, vi } from "vitest";

import { releaseContentOnLeave } from "../content-lease";

describe("releaseContentOnLeave", () => {
  afterEach(() => {
    document.cookie = "csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  });

  it("posts the release with keepalive and the CSRF token from its cookie", () => {
    document.cookie = "csrftoken=token-123; path=/";
    const fetchMock = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("{}"));

    releaseContentOnLeave(42);

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(url)).toBe("/api/v1/moderation/contents/42/release/");
    expect(init).toMatchObject({ method: "POST", keepalive: true, credentials: "same-origin" });
    expect((init?.headers as Record<string, string>)["X-CSRFToken"]).toBe("token-123");
  });

  it("does not throw while the page unloads and fetch refuses", () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(() => {
      throw new TypeError("Failed to fetch");
    });

    expect(() => releaseContentOnLeave(7)).not.toThrow();
  });
});
