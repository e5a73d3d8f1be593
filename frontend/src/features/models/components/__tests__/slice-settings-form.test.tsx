import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { SliceSettingsForm } from "../evaluation/slice-settings-form";

const SETTINGS = {
  slice_fields: ["language"],
  metadata_fields: ["language", "source"],
  builtin_fields: ["text_length"],
  min_support: 20,
  max_values: 12,
};

describe("SliceSettingsForm", () => {
  it("lists built-in and metadata fields and saves the chosen ones", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) =>
      init?.method === "PUT"
        ? jsonResponse({ ...SETTINGS, slice_fields: ["language", "source"] })
        : jsonResponse(SETTINGS),
    );
    renderWithProviders(<SliceSettingsForm projectId={3} />);

    expect(await screen.findByLabelText("language")).toBeChecked();
    expect(screen.getByLabelText(/Text length/)).not.toBeChecked();
    await userEvent.click(screen.getByLabelText("source"));
    await userEvent.click(screen.getByRole("button", { name: "Save slice fields" }));

    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith(
        expect.stringContaining("/api/v1/projects/3/evaluation-settings/"),
        expect.objectContaining({ method: "PUT", body: JSON.stringify({ slice_fields: ["language", "source"] }) }),
      ),
    );
    expect(await screen.findByRole("status")).toHaveTextContent("Evaluate a version again");
  });

  it("shows the server's refusal naming the field", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) =>
      init?.method === "PUT"
        ? jsonResponse(
            { message: "Slice field 'source' is not a metadata field of this project's items.", extra: {} },
            { status: 400 },
          )
        : jsonResponse(SETTINGS),
    );
    renderWithProviders(<SliceSettingsForm projectId={3} />);

    await userEvent.click(await screen.findByLabelText("source"));
    await userEvent.click(screen.getByRole("button", { name: "Save slice fields" }));

    expect(await screen.findByText(/Slice field 'source' is not a metadata field/)).toBeInTheDocument();
  });

  it("is read-only for members who are not project admins", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => jsonResponse(SETTINGS));
    renderWithProviders(<SliceSettingsForm projectId={3} readOnly />);

    expect(await screen.findByLabelText("language")).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Save slice fields" })).toBeNull();
  });
});
