import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { policy } from "../../../testing/fixtures";
import { PolicyCreateForm } from "../policy-create-form";

const PROJECTS = {
  count: 2,
  next: null,
  previous: null,
  results: [
    { id: 1, name: "SpamAssassin demo", role: "admin" },
    { id: 2, name: "Tweets", role: "annotator" },
  ],
};

function mockApi() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    if (url.endsWith("/auth/csrf/")) return jsonResponse({ csrf_token: "t" });
    if (url.includes("/projects/")) return jsonResponse(PROJECTS);
    const body = JSON.parse(String(init?.body)) as object;
    return jsonResponse({ ...policy(), ...body, id: 9 }, { status: 201 });
  });
}

describe("PolicyCreateForm", () => {
  it("offers only projects the caller administers and creates the policy there", async () => {
    const user = userEvent.setup();
    const fetchMock = mockApi();
    const onCreated = vi.fn();
    renderWithProviders(<PolicyCreateForm onCreated={onCreated} />);

    const project = await screen.findByTestId("policy-new-project");
    expect(screen.getByRole("option", { name: "SpamAssassin demo" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Tweets" })).not.toBeInTheDocument();
    await user.type(screen.getByTestId("policy-new-name"), "Community rules");
    await user.selectOptions(project, "1");
    await user.selectOptions(screen.getByTestId("policy-new-level"), "assist");
    await user.click(screen.getByTestId("policy-create"));

    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(9));
    const [, init] = fetchMock.mock.calls.find(([, request]) => request?.method === "POST") ?? [];
    expect(JSON.parse(String(init?.body))).toEqual({
      name: "Community rules",
      project: 1,
      automation_level: "assist",
    });
  });

  it("shows nothing to someone who administers no project", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse({ ...PROJECTS, results: [PROJECTS.results[1]] }),
    );
    const { container } = renderWithProviders(<PolicyCreateForm onCreated={vi.fn()} />);

    await waitFor(() => expect(vi.mocked(globalThis.fetch)).toHaveBeenCalled());
    expect(container.querySelector("form")).toBeNull();
  });
});
