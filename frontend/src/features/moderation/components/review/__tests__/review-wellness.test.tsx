import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { contentDetail, fakeModerationServer } from "../../../testing/fixtures";
import { ReviewPanel } from "../review-panel";

async function shown(contentId: number) {
  await waitFor(() => expect(screen.getByTestId("review-item")).toHaveAttribute("data-content-id", String(contentId)));
  await screen.findAllByTestId("reason-code");
}

const IMAGE = {
  text: null,
  has_image: true,
  blurred_thumbnail_url: "/api/v1/moderation/contents/1/blurred/",
  image_url: "/api/v1/moderation/contents/1/image/",
};

afterEach(() => window.sessionStorage.clear());

describe("ReviewPanel with wellness settings", () => {
  it("blurs and grays images as set: the revealed image stays blurred until pointed at or clicked", async () => {
    const user = userEvent.setup();
    fakeModerationServer({ queue: [contentDetail(1, IMAGE)], settings: { blur: "strong", grayscale: true } });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await waitFor(() => expect(screen.getByTestId("review-image-blurred").style.filter).toBe("blur(16px) grayscale(1)"));
    await user.keyboard("v");
    const full = screen.getByTestId("review-image-full");
    expect(full.style.filter).toBe("blur(16px) grayscale(1)");
    fireEvent.mouseEnter(full);
    // Not at once: the pointer must rest on it.
    expect(full.style.filter).toBe("blur(16px) grayscale(1)");
    await waitFor(() => expect(full.style.filter).toBe("grayscale(1)"));
    fireEvent.mouseLeave(full);
    expect(full.style.filter).toBe("blur(16px) grayscale(1)");
    await user.click(full);
    expect(full.style.filter).toBe("grayscale(1)");
    // g still switches grayscale for the session, over the setting.
    await user.keyboard("g");
    expect(full.style.filter).toBe("none");
  });

  it("masks flagged terms until clicked, records the reveal and counts graphic content", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({
      queue: [
        contentDetail(1, {
          text: "I will hurt you tomorrow",
          graphic: true,
          flagged_segments: [
            { text: "I will ", flagged: false },
            { text: "hurt", flagged: true },
            { text: " you tomorrow", flagged: false },
          ],
        }),
      ],
      settings: { hide_flagged_terms: true },
      graphicIds: [1],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const text = await screen.findByTestId("review-text");
    await waitFor(() => expect(text).toHaveAttribute("data-masked", "1"));
    expect(text.textContent).not.toContain("hurt");
    expect(text.textContent).toContain("I will");
    expect(await screen.findByTestId("exposure-today")).toHaveTextContent("0");
    expect(screen.getByTestId("review-graphic")).toBeInTheDocument();

    await user.click(screen.getByTestId("flagged-mask"));

    expect(screen.getByTestId("flagged-term")).toHaveTextContent("hurt");
    expect(text.textContent).toBe("I will hurt you tomorrow");
    await waitFor(() => expect(screen.getByTestId("exposure-today")).toHaveTextContent("1"));
    expect(server.calls("POST", /contents\/1\/reveal\/$/).map((call) => call.body)).toEqual([{ kind: "text" }]);
  });

  it("shows text as posted when hiding is off, and v reveals masked text of a text-only content", async () => {
    const user = userEvent.setup();
    const segments = [
      { text: "free ", flagged: false },
      { text: "money", flagged: true },
    ];
    fakeModerationServer({
      queue: [contentDetail(1, { text: "free money", flagged_segments: segments }), contentDetail(2)],
      settings: { hide_flagged_terms: true },
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await waitFor(() => expect(screen.getByTestId("review-text")).toHaveAttribute("data-masked", "1"));
    await user.keyboard("v");
    expect(screen.getByTestId("review-text")).toHaveAttribute("data-masked", "0");
    expect(screen.getByTestId("flagged-term")).toHaveTextContent("money");
  });

  it("reminds the moderator to take a break after the set time on graphic content, and logs the answer", async () => {
    const user = userEvent.setup();
    // 59 of the 60 seconds already spent in this tab.
    window.sessionStorage.setItem("tandem.wellness.graphicSeconds", "59");
    const server = fakeModerationServer({
      queue: [contentDetail(1, { graphic: true })],
      settings: { break_reminder_minutes: 1 },
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const reminder = await screen.findByTestId("break-reminder", {}, { timeout: 4000 });
    expect(reminder).toHaveTextContent("1 min on graphic content");
    await user.click(screen.getByTestId("break-dismiss"));

    expect(screen.queryByTestId("break-reminder")).toBeNull();
    const [logged] = server.calls("POST", /wellness\/breaks\/$/);
    expect(logged?.body).toMatchObject({ action: "dismissed" });
    expect((logged?.body as { graphic_seconds: number }).graphic_seconds).toBeGreaterThanOrEqual(60);
    expect(window.sessionStorage.getItem("tandem.wellness.graphicSeconds")).toBe("0");
  });

  it("counts no time on content that is not graphic", async () => {
    fakeModerationServer({ queue: [contentDetail(1)], settings: { break_reminder_minutes: 1 } });
    window.sessionStorage.setItem("tandem.wellness.graphicSeconds", "59");
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(screen.queryByTestId("break-reminder")).toBeNull();
  });
});
