import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { labelKeys } from "../../utils/keymap";
import { LabelButtons } from "../label-buttons";

describe("LabelButtons", () => {
  it("shows a class's description as the button's tooltip, as text", () => {
    const keys = labelKeys([
      { id: 1, name: "ham", colour: "#54a24b", hotkey: "1", order: 0 },
      { id: 2, name: "spam", colour: "#e45756", hotkey: "2", order: 1, description: "<b>Ads</b> & scams" },
    ]);

    render(
      <LabelButtons
        labelKeys={keys}
        multilabel={false}
        mode="choose"
        selection={[]}
        proposed={[]}
        earlier={null}
        disabled={false}
        onPick={() => undefined}
      />,
    );

    const [ham, spam] = screen.getAllByTestId("label-button");
    expect(ham).not.toHaveAttribute("title");
    expect(spam).toHaveAttribute("title", "<b>Ads</b> & scams");
    expect(spam?.querySelector("b")).toBeNull();
  });
});
