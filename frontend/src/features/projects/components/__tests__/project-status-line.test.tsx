import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import type { ProjectStatus } from "../../types";
import { ProjectStatusLine } from "../project-status-line";

const embedding: ProjectStatus = {
  phase: "embedding",
  active: true,
  message: "Embedding items: 100 of 400.",
  done: 100,
  total: 400,
  eta_seconds: 180,
  since: "2026-12-05T10:00:00Z",
  model: null,
  failures: [{ kind: "import", job_id: 4, message: "Line 3: not UTF-8.", at: "2026-12-05T09:00:00Z" }],
};

function show(status: ProjectStatus, linkFailures: boolean) {
  render(
    <MemoryRouter>
      <ProjectStatusLine projectId={3} status={status} linkFailures={linkFailures} />
    </MemoryRouter>,
  );
}

describe("ProjectStatusLine", () => {
  it("shows progress, the time left and a failed import with a link to it", () => {
    show(embedding, true);

    expect(screen.getByTestId("project-status-message")).toHaveTextContent("Embedding items: 100 of 400.");
    expect(screen.getByTestId("project-status")).toHaveTextContent("about 3 min left");
    expect(screen.getByTestId("project-status-progress")).toHaveAttribute("value", "0.25");
    expect(screen.getByTestId("project-status-failures")).toHaveTextContent("Line 3: not UTF-8.");
    expect(screen.getByRole("link", { name: "See the import" })).toHaveAttribute("href", "/projects/3/import?job=4");
  });

  it("names a failure without a link for people who cannot open the Import tab", () => {
    show(embedding, false);

    expect(screen.getByTestId("project-status-failures")).toHaveTextContent("The last import failed");
    expect(screen.queryByRole("link")).toBeNull();
  });

  it("shows no progress bar once nothing runs", () => {
    show(
      {
        ...embedding,
        phase: "model_live",
        active: false,
        message: "Model version 2 is live, trained on 95 labels.",
        model: { version: 2, trained_at: "2026-12-05T10:00:00Z", label_count: 95 },
        failures: [],
      },
      true,
    );

    expect(screen.queryByTestId("project-status-progress")).toBeNull();
    expect(screen.getByTestId("project-status")).toHaveAttribute("data-active", "false");
  });
});
