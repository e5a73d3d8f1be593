import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Proposal } from "../proposal";

describe("Proposal", () => {
  it("names the model version that made a model's proposal", () => {
    render(
      <Proposal suggestion={{ labels: ["spam"], confidence: 0.91, model_version: 3, source: "model" }} mode="choose" />,
    );

    expect(screen.getByTestId("proposal")).toHaveTextContent("Model proposes");
    expect(screen.getByTestId("proposal-source")).toHaveTextContent("model v3");
  });

  it("says a proposal made before any model is zero-shot, not a model's", () => {
    render(
      <Proposal
        suggestion={{ labels: ["ham"], confidence: 0.62, model_version: null, source: "zero-shot" }}
        mode="choose"
      />,
    );

    expect(screen.getByTestId("proposal")).not.toHaveTextContent("Model proposes");
    expect(screen.getByTestId("proposal-labels")).toHaveTextContent("ham");
    expect(screen.getByTestId("proposal-confidence")).toHaveTextContent("62% confident");
    expect(screen.getByTestId("proposal-source")).toHaveTextContent("zero-shot");
  });
});
