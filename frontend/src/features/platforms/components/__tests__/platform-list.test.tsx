import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page, platform, recordedCalls } from "../../testing/fixtures";
import { PlatformList } from "../platform-list";

describe("PlatformList", () => {
  it("lists the platforms with their active keys, each linking to its page", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(page([platform({ active_key_count: 2 }), platform({ id: 5, name: "Harbour Chat" })])),
    );
    renderWithProviders(<PlatformList platformHref={(id) => `/platforms/${id}`} onCreated={() => {}} />);

    const rows = await screen.findAllByTestId("platform-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Riverside Forum");
    expect(rows[0]).toHaveTextContent("2");
    expect(screen.getAllByTestId("platform-link").map((link) => link.getAttribute("href"))).toEqual([
      "/platforms/4",
      "/platforms/5",
    ]);
  });

  it("creates a platform and opens it; a taken name shows the server's message", async () => {
    const user = userEvent.setup();
    document.cookie = "csrftoken=test-token";
    let posts = 0;
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      if (init?.method === "POST") {
        posts += 1;
        return posts === 1
          ? jsonResponse({ message: "A platform named Riverside Forum exists.", extra: {} }, { status: 409 })
          : jsonResponse(platform({ id: 9, name: "Harbour Chat" }), { status: 201 });
      }
      return jsonResponse(page([platform()]));
    });
    const onCreated = vi.fn();
    renderWithProviders(<PlatformList platformHref={(id) => `/platforms/${id}`} onCreated={onCreated} />);
    await screen.findAllByTestId("platform-row");

    await user.type(screen.getByTestId("platform-name"), "Riverside Forum");
    await user.click(screen.getByTestId("platform-create"));
    expect(await screen.findByRole("alert")).toHaveTextContent("A platform named Riverside Forum exists.");
    expect(onCreated).not.toHaveBeenCalled();

    await user.clear(screen.getByTestId("platform-name"));
    await user.type(screen.getByTestId("platform-name"), "  Harbour Chat ");
    await user.click(screen.getByTestId("platform-create"));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(9));
    expect(recordedCalls(fetchMock).filter((call) => call.method === "POST").at(-1)).toEqual({
      method: "POST",
      path: "/api/v1/moderation/platforms/",
      body: { name: "Harbour Chat" },
    });
  });
});
