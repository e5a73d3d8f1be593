import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { contentDetail } from "../../../testing/fixtures";
import { ThreadPanel } from "../thread-panel";

const HOSTILE = '<img src=x onerror="alert(1)"><script>alert("x")</script>';

function entry(id: number, text: string, authorName: string | null = null) {
  return {
    id,
    external_id: `m-${id}`,
    author_name: authorName,
    author_id: `a-${id}`,
    text,
    has_image: false,
    state: "pending",
    created_at: "2026-12-01T10:00:00Z",
    flagged_segments: [] as { text: string; flagged: boolean }[],
  };
}

describe("ThreadPanel", () => {
  it("lists the ancestors, then the replies around this content, texts and names as plain text", () => {
    const content = contentDetail(5, {
      thread: {
        parent_id: "m-2",
        parent_missing: false,
        ancestors: [entry(1, "The first post", HOSTILE), entry(2, HOSTILE)],
        siblings: [entry(3, "Earlier reply"), entry(4, "Later reply")],
        position: 1,
      },
    });
    const { container } = render(<ThreadPanel content={content} />);

    const ancestors = screen.getAllByTestId("thread-ancestor");
    expect(ancestors.map((li) => li.dataset.contentId)).toEqual(["1", "2"]);
    const [first, second] = ancestors as [HTMLElement, HTMLElement];
    expect(within(first).getByText(HOSTILE)).toBeInTheDocument();
    expect(second.textContent).toContain(HOSTILE);
    expect(container.querySelector("img, script")).toBeNull();
    const replies = within(container.querySelector(".thread-replies") as HTMLElement).getAllByRole("listitem");
    expect(replies.map((li) => li.dataset.testid)).toEqual(["thread-sibling", "thread-current", "thread-sibling"]);
  });

  it("masks a reply's flagged words while flagged terms are hidden, until that reply is clicked", async () => {
    const flagged = {
      ...entry(3, "you are a slurword here"),
      flagged_segments: [
        { text: "you are a ", flagged: false },
        { text: "slurword", flagged: true },
        { text: " here", flagged: false },
      ],
    };
    const content = contentDetail(8, {
      thread: { parent_id: "m-1", parent_missing: false, ancestors: [entry(1, "Parent")], siblings: [flagged], position: 1 },
    });
    const { rerender } = render(<ThreadPanel content={content} hideFlaggedTerms />);

    const reply = screen.getByTestId("thread-sibling");
    expect(reply.textContent).not.toContain("slurword");
    expect(within(reply).getByTestId("thread-text")).toHaveAttribute("data-masked", "1");
    within(reply).getByTestId("flagged-mask").click();
    expect(await within(reply).findByTestId("flagged-term")).toHaveTextContent("slurword");

    rerender(<ThreadPanel content={contentDetail(9, { thread: content.thread })} />);
    expect(screen.getByTestId("thread-sibling").textContent).toContain("you are a slurword here");
  });

  it("says when the parent is not among the content one may see, and is absent without a thread", () => {
    const missing = contentDetail(6, {
      thread: { parent_id: "elsewhere-1", parent_missing: true, ancestors: [], siblings: [], position: 0 },
    });
    const { rerender } = render(<ThreadPanel content={missing} />);
    expect(screen.getByTestId("thread-parent-missing")).toHaveTextContent("elsewhere-1");

    rerender(<ThreadPanel content={contentDetail(7)} />);
    expect(screen.queryByTestId("review-thread")).toBeNull();
  });
});
