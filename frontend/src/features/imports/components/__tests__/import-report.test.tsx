import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { ImportJob } from "../../types";
import { ImportReport } from "../import-report";

function job(overrides: Partial<ImportJob> = {}): ImportJob {
  return {
    id: 7,
    original_name: "sms.tsv",
    file_url: null,
    format: "csv",
    options: {},
    total_bytes: 1000,
    processed_bytes: 0,
    duplicate_rows: 0,
    started_at: null,
    finished_at: null,
    status: "succeeded",
    progress: 1,
    rows_seen: 5574,
    items_created: 5570,
    items_existing: 1,
    annotations_created: 5570,
    error_count: 0,
    errors: [],
    unknown_labels: [],
    skipped: {},
    error_message: "",
    attempts: 1,
    created_by: "alice",
    created_at: "2024-01-01T00:00:00Z",
    ...overrides,
  };
}

describe("ImportReport", () => {
  it("shows the counts of a finished import", () => {
    render(<ImportReport job={job()} />);

    expect(screen.getByTestId("import-rows-seen")).toHaveTextContent("5,574");
    expect(screen.getByTestId("import-items-created")).toHaveTextContent("5,570");
    expect(screen.getByTestId("import-items-existing")).toHaveTextContent("1");
    expect(screen.getByTestId("import-annotations-created")).toHaveTextContent("5,570");
    expect(screen.getByTestId("import-error-count")).toHaveTextContent("0");
    expect(screen.queryByTestId("import-errors")).not.toBeInTheDocument();
  });

  it("lists each refused row with its line and message, as text", () => {
    render(
      <ImportReport
        job={job({
          error_count: 3,
          errors: [
            { line: 12, message: "The text is empty." },
            { line: 40, message: "<b>not bold</b> is longer than 1,000,000 characters" },
          ],
        })}
      />,
    );

    const table = screen.getByTestId("import-errors");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent))).toEqual([
      ["12", "The text is empty."],
      ["40", "<b>not bold</b> is longer than 1,000,000 characters"],
    ]);
    expect(table.querySelector("b")).toBeNull();
    // More errors were counted than listed: the caption says so.
    expect(within(table).getByText(/the first 2 of 3/)).toBeInTheDocument();
  });

  it("names labels that are not label classes", () => {
    render(<ImportReport job={job({ unknown_labels: ["spma", "hma"] })} />);

    expect(screen.getByTestId("import-unknown-labels")).toHaveTextContent("spma, hma");
  });

  it("counts what imported rows held that was not imported, by reason, as text", () => {
    render(
      <ImportReport
        job={job({
          format: "label_studio",
          skipped: { "task without annotations": 3, "unmapped result: <i>ner</i> (labels)": 1200 },
        })}
      />,
    );

    const skipped = screen.getByTestId("import-skipped");
    expect(within(skipped).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "task without annotations: 3",
      "unmapped result: <i>ner</i> (labels): 1,200",
    ]);
    expect(skipped.querySelector("i")).toBeNull();
  });

  it("says why a failed import failed", () => {
    render(
      <ImportReport
        job={job({ status: "failed", error_message: "No text column found; columns are ['a', 'b']." })}
      />,
    );

    expect(screen.getByRole("alert")).toHaveTextContent(
      "The import failed: No text column found; columns are ['a', 'b'].",
    );
  });

  it("shows a hostile file name as text, isolated from the sentence around it", () => {
    const name = "<img src=x onerror=alert(1)>invoice\u202egnp.exe";
    render(
      <ImportReport
        job={job({
          original_name: name,
          status: "failed",
          error_message: "The worker stopped while running this import 3 times (killed or out of memory); not retried again. Retry it by hand once the cause is fixed.",
        })}
      />,
    );

    const heading = screen.getByRole("heading", { level: 3 });
    expect(heading.querySelector("img")).toBeNull();
    const isolated = heading.querySelector("bdi");
    expect(isolated?.textContent).toBe(name);
    // The reason a job stopped for good reaches the person reading the report.
    expect(screen.getByRole("alert")).toHaveTextContent("The worker stopped while running this import 3 times");
    expect(screen.getByRole("alert").querySelector("bdi")).not.toBeNull();
  });
});
