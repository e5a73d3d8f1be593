import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { ProjectLayout } from "../project-layout";

function renderAs(role: string) {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    if (String(input).endsWith("/status/")) return jsonResponse({ message: "no status", extra: {} }, { status: 404 });
    return jsonResponse({ id: 1, name: "SMS spam", role, data_type: "text", label_classes: [] });
  });
  renderWithProviders(
    <Routes>
      <Route path="/projects/:projectId" element={<ProjectLayout />} />
    </Routes>,
    { route: "/projects/1" },
  );
}

describe("ProjectLayout tabs", () => {
  it.each(["admin", "ml_engineer"])("shows the Datasets tab to a %s", async (role) => {
    renderAs(role);
    expect(await screen.findByTestId("tab-datasets")).toHaveAttribute("href", "/projects/1/datasets");
  });

  it.each(["annotator", "moderator", "senior_moderator"])("hides the Datasets tab from a %s", async (role) => {
    renderAs(role);
    expect(await screen.findByTestId("tab-items")).toBeInTheDocument();
    expect(screen.queryByTestId("tab-datasets")).not.toBeInTheDocument();
  });
});

describe("ProjectLayout Drift tab", () => {
  it.each(["admin", "annotator", "moderator"])("shows the Drift tab to a %s", async (role) => {
    renderAs(role);
    expect(await screen.findByTestId("tab-drift")).toHaveAttribute("href", "/projects/1/drift");
  });
});
