import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { contentDetail, fakeModerationServer, similarRow } from "../../../testing/fixtures";
import { ReviewPanel } from "../review-panel";

async function shown(contentId: number) {
  await waitFor(() => expect(screen.getByTestId("review-item")).toHaveAttribute("data-content-id", String(contentId)));
}

describe("Similar content in the review panel", () => {
  it("lists the nearest contents with their state and similarity", async () => {
    fakeModerationServer({
      queue: [contentDetail(1)],
      similar: { 1: [similarRow(8, { score: 0.93, excerpt: "Win a prize now" }), similarRow(9, { state: "pending", score: 0.71 })] },
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const rows = await screen.findAllByTestId("similar-content");
    expect(rows.map((row) => row.getAttribute("data-content-id"))).toEqual(["8", "9"]);
    const [nearest, next] = rows as [HTMLElement, HTMLElement];
    expect(within(nearest).getByTestId("similar-score")).toHaveTextContent("93%");
    expect(within(nearest).getByTestId("similar-excerpt")).toHaveTextContent("Win a prize now");
    expect(next).toHaveTextContent("Pending review");
  });

  it("says what to do next when nothing is similar yet", async () => {
    fakeModerationServer({ queue: [contentDetail(1)] });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    expect(await screen.findByTestId("similar-empty")).toHaveTextContent("embedded");
  });

  it("hides the neighbours' texts with flagged terms until the content's text is revealed", async () => {
    const user = userEvent.setup();
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          text: "free money",
          flagged_segments: [
            { text: "free money", flagged: true },
          ],
        }),
      ],
      settings: { hide_flagged_terms: true },
      similar: { 1: [similarRow(8, { excerpt: "fr33 m0ney here" })] },
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await screen.findByTestId("similar-texts-hidden");
    expect(screen.queryByTestId("similar-excerpt")).toBeNull();
    await user.click(screen.getByTestId("flagged-mask"));

    expect(await screen.findByTestId("similar-excerpt")).toHaveTextContent("fr33 m0ney here");
  });
});
