import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { authorRecord, contentDetail, fakeModerationServer } from "../../../testing/fixtures";
import { ReviewPanel } from "../review-panel";

async function shown(contentId: number) {
  await waitFor(() => expect(screen.getByTestId("review-item")).toHaveAttribute("data-content-id", String(contentId)));
  // The policy's reason codes are loaded.
  await screen.findAllByTestId("reason-code");
}

describe("ReviewPanel", () => {
  it("shows text as plain text and decides with r, a reason digit and Enter, then shows the next", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({
      queue: [contentDetail(1, { text: "<b>Buy</b> pills\n  now" }), contentDetail(2)],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const text = screen.getByTestId("review-text");
    expect(text.textContent).toBe("<b>Buy</b> pills\n  now");
    expect(text.querySelector("b")).toBeNull();

    await user.keyboard("r");
    // Only the removal reasons are offered, numbered 1 and 2.
    const offered = screen.getAllByTestId("reason-code").map((button) => button.getAttribute("data-code"));
    expect(offered).toEqual(["SPAM-1", "SPAM-2"]);
    await user.keyboard("2");
    expect(screen.getByRole("button", { name: /SPAM-2/ })).toHaveAttribute("aria-pressed", "true");
    await user.keyboard("w");
    await user.keyboard("{Enter}");

    await shown(2);
    const [decide] = server.calls("POST", /contents\/1\/decide\/$/);
    expect(decide?.body).toMatchObject({ action: "remove", reason_code: "SPAM-2", author_action: "warn" });
    expect((decide?.body as { time_spent_ms: number }).time_spent_ms).toBeGreaterThanOrEqual(0);
    expect(screen.getByTestId("review-notice")).toHaveTextContent("Removed post-1");
  });

  it("refuses to send without a reason and says what is missing", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({ queue: [contentDetail(1)] });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await user.keyboard("{Enter}");
    expect(screen.getByTestId("review-hint")).toHaveTextContent("Choose approve (a), remove (r) or escalate (e)");
    await user.keyboard("r{Enter}");
    expect(screen.getByTestId("review-hint")).toHaveTextContent("Pick a reason code");
    expect(server.calls("POST", /decide\/$/)).toHaveLength(0);
  });

  it("offers no escalation in the senior queue, by button or by key", async () => {
    const user = userEvent.setup();
    fakeModerationServer({ queue: [contentDetail(1)] });
    renderWithProviders(<ReviewPanel tier="senior" />);
    await shown(1);

    expect(screen.getByTestId("decision-approve")).toBeInTheDocument();
    expect(screen.getByTestId("decision-remove")).toBeInTheDocument();
    expect(screen.queryByTestId("decision-escalate")).not.toBeInTheDocument();
    await user.keyboard("e");
    expect(screen.getByTestId("decision-approve")).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByTestId("decision-remove")).toHaveAttribute("aria-pressed", "false");
    // Nor does the key help list a key that does nothing here.
    await user.keyboard("?");
    const keys = within(screen.getByTestId("review-help"))
      .getAllByRole("term")
      .map((term) => term.textContent);
    expect(keys).toContain("r");
    expect(keys).not.toContain("e");
  });

  it("approves with a, where the single approval reason is picked at once", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({ queue: [contentDetail(1), contentDetail(2)] });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await user.keyboard("a{Enter}");
    await shown(2);
    expect(server.calls("POST", /decide\/$/)[0]?.body).toMatchObject({ action: "approve", reason_code: "OK-1" });
  });

  it("ignores the keys while the moderator types a note, and sends the note", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({ queue: [contentDetail(1), contentDetail(2)] });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await user.keyboard("e");
    await user.keyboard("c");
    expect(screen.getByTestId("decision-note")).toHaveFocus();
    await user.keyboard("reads like a threat, ask a senior");
    expect(screen.getByTestId("decision-note")).toHaveValue("reads like a threat, ask a senior");
    // None of the typed letters chose an action ("a", "r" are in the note).
    expect(screen.getByTestId("decision-escalate")).toHaveAttribute("aria-pressed", "true");
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("decision-note")).not.toHaveFocus();
    await user.keyboard("{Enter}");

    await shown(2);
    expect(server.calls("POST", /decide\/$/)[0]?.body).toMatchObject({
      action: "escalate",
      reason_code: "ESC-1",
      note: "reads like a threat, ask a senior",
      author_action: "none",
    });
  });

  it("keeps an image blurred until v reveals it through the audited endpoint; g turns it gray", async () => {
    const user = userEvent.setup();
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          text: null,
          has_image: true,
          blurred_thumbnail_url: "/api/v1/moderation/contents/1/blurred/",
          image_url: "/api/v1/moderation/contents/1/image/",
        }),
      ],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const blurred = screen.getByTestId("review-image-blurred");
    expect(blurred).toHaveAttribute("src", "/api/v1/moderation/contents/1/blurred/");
    expect(screen.queryByTestId("review-image-full")).toBeNull();
    // Nothing on the page points at the full image before it is revealed.
    expect(document.querySelector('img[src*="/image/"]')).toBeNull();

    await user.keyboard("g");
    expect(screen.getByTestId("review-image-blurred")).toHaveClass("review-image-grayscale");
    await user.keyboard("v");
    const full = screen.getByTestId("review-image-full");
    expect(full).toHaveAttribute("src", "/api/v1/moderation/contents/1/image/");
    expect(full).toHaveClass("review-image-grayscale");
    expect(screen.queryByTestId("review-image-blurred")).toBeNull();
  });

  it("skips with n: takes the next (excluding the skipped one), then gives the skipped one back", async () => {
    const user = userEvent.setup();
    const server = fakeModerationServer({ queue: [contentDetail(1), contentDetail(2)] });
    renderWithProviders(<ReviewPanel tier="senior" policy={3} />);
    await shown(1);

    await user.keyboard("n");
    await shown(2);
    const nexts = server.calls("POST", /queue\/next\/$/);
    expect(nexts[0]?.body).toEqual({ tier: "senior", policy: 3 });
    expect(nexts[1]?.body).toEqual({ tier: "senior", policy: 3, exclude: [1] });
    expect(server.calls("POST", /contents\/1\/release\/$/)).toHaveLength(1);
    expect(server.calls("POST", /decide\/$/)).toHaveLength(0);
  });

  it("shows every key in the help overlay on ?, and closes it with Escape", async () => {
    const user = userEvent.setup();
    fakeModerationServer({ queue: [contentDetail(1)] });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await user.keyboard("?");
    const help = screen.getByTestId("review-help");
    const keys = within(help)
      .getAllByRole("term")
      .map((term) => term.textContent);
    expect(keys).toEqual(["a", "r", "e", "1–9", "Enter", "w", "s", "c", "v", "g", "n", "?", "Esc", "PageDown"]);
    // Decision keys do nothing while the help is open.
    await user.keyboard("r");
    expect(screen.getByTestId("decision-remove")).toHaveAttribute("aria-pressed", "false");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("review-help")).toBeNull();
  });

  it("keeps the content and shows the server's message when a decision is refused", async () => {
    const user = userEvent.setup();
    fakeModerationServer({
      queue: [contentDetail(1), contentDetail(2)],
      onDecide: () =>
        new Response(JSON.stringify({ message: "This content has already been decided.", extra: {} }), {
          status: 409,
          headers: { "Content-Type": "application/json" },
        }),
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    await user.keyboard("r1{Enter}");
    expect(await screen.findByText(/already been decided/)).toBeInTheDocument();
    expect(screen.getByTestId("review-item")).toHaveAttribute("data-content-id", "1");
  });

  it("shows the model's suggestion only when the API sends one, with reports, hash matches and author", async () => {
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          model: {
            level: "assist",
            category: "spam",
            label_class: "spam",
            action: "remove",
            score: 0.91,
            model_version_id: 4,
            model_version: 2,
            model_stage: "production",
          },
          report_count: 2,
          user_report_count: 1,
          hash_match: true,
          reports: [
            { source: "user", reporter: "u-7", reason: "ads", category: null, created_at: "2026-01-01T10:00:00Z" },
          ],
          hash_matches: [
            { source: "hash", reporter: "phash:12", reason: "near duplicate", category: "spam", created_at: "2026-01-01T10:00:00Z" },
          ],
          author: authorRecord(),
        }),
        contentDetail(2),
      ],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    expect(screen.getByTestId("review-suggestion-text")).toHaveTextContent("Suggests remove · spam · 91.0%");
    expect(screen.getByTestId("review-reports")).toHaveTextContent("u-7");
    expect(screen.getByTestId("review-hash-matches")).toHaveTextContent("spam");
    expect(screen.getByTestId("author-live-points")).toHaveTextContent("3 live strike points");
    expect(screen.getByTestId("author-current-action")).toHaveTextContent("Warned until");
    expect(screen.getByTestId("author-current-action")).toHaveTextContent("(3 points ≥ 3)");
    const strikes = screen.getAllByTestId("author-strike");
    expect(strikes.map((strike) => strike.dataset.state)).toEqual(["live", "expired"]);
    expect(strikes[0]).toHaveTextContent(/3 pts \(SPAM-1\) · expires/);
    expect(strikes[1]).toHaveTextContent(/2 pts \(SPAM-2\) · expired/);
  });

  it("shows an author without strikes and a suspension from a moderator's decision", async () => {
    const [warning] = authorRecord().actions;
    if (!warning) throw new Error("the fixture has a warning");
    const suspension = {
      ...warning,
      kind: "suspend" as const,
      source: "decision" as const,
      threshold_points: null,
      suspend_days: 7,
    };
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          author: authorRecord({
            external_id: "<img src=x onerror=alert(1)>",
            live_points: 0,
            strikes: [],
            actions: [suspension],
            current_action: suspension,
          }),
        }),
      ],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    expect(screen.getByTestId("author-live-points")).toHaveTextContent("0 live strike points");
    expect(screen.getByTestId("author-no-strikes")).toHaveTextContent("No strikes.");
    expect(screen.getByTestId("author-current-action")).toHaveTextContent(
      /Suspended until .* \(by a moderator's decision\)/,
    );
    expect(screen.getByTestId("review-author")).toHaveTextContent("<img src=x onerror=alert(1)>");
    expect(document.querySelector("#review-author-heading img")).toBeNull();
  });

  it("says the model is unsure when its score sits between the policy's thresholds", async () => {
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          model: {
            level: "partial",
            category: "hate_speech",
            label_class: "hate_speech",
            action: "remove",
            score: 0.594,
            model_version_id: 9,
            model_version: 1,
            model_stage: "production",
          },
          scores: { hate_speech: 0.594 },
          category_scores: [{ category: "hate_speech", score: 0.594, remove_threshold: 0.7, allow_threshold: 0.15 }],
        }),
      ],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    expect(screen.getByTestId("review-suggestion-text")).toHaveTextContent("Unsure, leans remove · hate_speech · 59.4%");
  });

  it("shows the model version apart from the category scores, and its flag apart from the users' reports", async () => {
    fakeModerationServer({
      queue: [
        contentDetail(1, {
          model: {
            level: "assist",
            category: "spam",
            label_class: "spam",
            action: "remove",
            score: 0.97,
            model_version_id: 9,
            model_version: 3,
            model_stage: "production",
          },
          scores: { spam: 0.97, threat: 0.12 },
          category_scores: [
            { category: "spam", score: 0.97, remove_threshold: 0.9, allow_threshold: 0.1 },
            { category: "threat", score: 0.12, remove_threshold: null, allow_threshold: null },
          ],
          model_flag: {
            model_version: 3,
            model_stage: "production",
            score: 0.97,
            category: "spam",
            created_at: "2026-01-01T10:00:00Z",
          },
          report_count: 2,
          user_report_count: 1,
          reports: [
            { source: "user", reporter: "u-7", reason: "ads", category: null, created_at: "2026-01-01T10:00:00Z" },
          ],
        }),
      ],
    });
    renderWithProviders(<ReviewPanel tier="standard" />);
    await shown(1);

    const model = screen.getByTestId("review-suggestion");
    expect(within(model).getByTestId("review-model-version")).toHaveTextContent("model v3 (production)");
    const rows = within(model)
      .getAllByTestId("category-score")
      .map((row) => row.textContent);
    expect(rows).toEqual(["spam97.0%remove ≥ 90% · allow ≤ 10%", "threat12.0%"]);
    // The version is never a score.
    expect(model).not.toHaveTextContent("model_version");
    const reports = screen.getByTestId("review-reports");
    expect(within(reports).getByTestId("review-report-count")).toHaveTextContent("1");
    expect(within(reports).getAllByTestId("review-report").map((li) => li.textContent)).toEqual(["User report u-7: ads"]);
    expect(within(reports).getByTestId("review-model-flag")).toHaveTextContent("Flagged by model v3 at 0.97 · spam");
  });

  it("says so when nothing is left to review", async () => {
    fakeModerationServer({ queue: [] });
    renderWithProviders(<ReviewPanel tier="senior" />);
    expect(await screen.findByTestId("review-empty")).toHaveTextContent("Nothing left to review");
  });
});
