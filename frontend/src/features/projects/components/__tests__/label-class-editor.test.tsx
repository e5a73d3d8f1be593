import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import type { LabelClassDraft } from "../../types";
import { LabelClassEditor, newLabelClassDraft } from "../label-class-editor";

function Harness({ initial }: { initial: string[] }) {
  const [rows, setRows] = useState<LabelClassDraft[]>(() => initial.map((name, i) => newLabelClassDraft(i, name)));
  return (
    <>
      <LabelClassEditor value={rows} onChange={setRows} />
      <output data-testid="names">{rows.map((row) => row.name).join("|")}</output>
      <output data-testid="descriptions">{rows.map((row) => row.description).join("|")}</output>
    </>
  );
}

function names(): string {
  return screen.getByTestId("names").textContent ?? "";
}

describe("LabelClassEditor", () => {
  it("adds a row and moves focus into its name field", async () => {
    const user = userEvent.setup();
    render(<Harness initial={["ham", "spam"]} />);

    await user.click(screen.getByTestId("add-label-class"));

    const newName = screen.getByTestId("label-class-name-2");
    expect(newName).toHaveValue("");
    expect(newName).toHaveFocus();
    await user.keyboard("phishing");
    expect(names()).toBe("ham|spam|phishing");
    // Each row gets its own colour from the palette.
    expect(screen.getByTestId("label-class-colour-2")).toHaveValue("#54a24b");
  });

  it("removes the chosen row and keeps the others in order", async () => {
    const user = userEvent.setup();
    render(<Harness initial={["ham", "spam", "phishing"]} />);

    await user.click(screen.getByRole("button", { name: "Remove label class spam" }));

    expect(names()).toBe("ham|phishing");
    expect(screen.getByTestId("label-class-name-1")).toHaveValue("phishing");
    expect(screen.queryByTestId("label-class-name-2")).not.toBeInTheDocument();
    expect(screen.getByTestId("label-class-name-1")).toHaveFocus();
  });

  it("edits name and hotkey of a row, one character of hotkey at most", async () => {
    const user = userEvent.setup();
    render(<Harness initial={["", ""]} />);

    await user.type(screen.getByTestId("label-class-name-0"), "ham");
    await user.type(screen.getByTestId("label-class-hotkey-0"), "hx");

    expect(names()).toBe("ham|");
    expect(screen.getByTestId("label-class-hotkey-0")).toHaveValue("h");
  });

  it("edits a class's description as plain text, up to the server's limit", async () => {
    const user = userEvent.setup();
    render(<Harness initial={["ham", "spam"]} />);

    await user.type(screen.getByTestId("label-class-description-1"), "<b>Scams</b> & ads");

    expect(screen.getByTestId("descriptions").textContent).toBe("|<b>Scams</b> & ads");
    expect(screen.getByTestId("label-class-description-1")).toHaveAttribute("maxlength", "2000");
  });

  it("labels every input so it can be found by its name", () => {
    render(<Harness initial={["ham"]} />);

    expect(screen.getByLabelText("Name")).toHaveValue("ham");
    expect(screen.getByLabelText("Colour")).toBeInTheDocument();
    expect(screen.getByLabelText("Hotkey")).toBeInTheDocument();
    expect(screen.getByLabelText("Description")).toHaveValue("");
  });
});
