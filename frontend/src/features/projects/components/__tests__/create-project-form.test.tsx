import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { CreateProjectForm } from "../create-project-form";

describe("CreateProjectForm", () => {
  it("posts the project with its label classes", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse({ id: 9, name: "SMS", label_classes: [] }, { status: 201 }));
    const onCreated = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(<CreateProjectForm onCreated={onCreated} />);

    await user.type(screen.getByTestId("project-name"), "SMS");
    await user.type(screen.getByTestId("label-class-name-0"), "ham");
    await user.type(screen.getByTestId("label-class-name-1"), "spam");
    await user.type(screen.getByTestId("label-class-hotkey-1"), "s");
    await user.click(screen.getByTestId("project-create-submit"));

    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    const body = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body));
    expect(body).toMatchObject({
      name: "SMS",
      data_type: "text",
      task_type: "binary",
      label_classes: [
        { name: "ham", colour: "#4c78a8" },
        { name: "spam", colour: "#f58518", hotkey: "s" },
      ],
    });
    expect(body.label_classes[0]).not.toHaveProperty("hotkey");
  });

  it("shows the API's message when the project is refused", async () => {
    document.cookie = "csrftoken=tok";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse({ message: "Label class names must be unique.", extra: {} }, { status: 400 }),
    );
    const user = userEvent.setup();
    renderWithProviders(<CreateProjectForm onCreated={vi.fn()} />);

    await user.type(screen.getByTestId("project-name"), "SMS");
    await user.type(screen.getByTestId("label-class-name-0"), "ham");
    await user.type(screen.getByTestId("label-class-name-1"), "ham");
    await user.click(screen.getByTestId("project-create-submit"));

    expect(await screen.findByRole("alert")).toHaveTextContent("Label class names must be unique.");
  });
});
