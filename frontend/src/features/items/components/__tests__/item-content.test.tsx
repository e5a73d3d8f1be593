import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import type { Item } from "../../types";
import { ItemContent } from "../item-content";
import { ItemsTable } from "../items-table";
import { isolate } from "@/lib/bidi";

function item(overrides: Partial<Item>): Item {
  return {
    id: 1,
    external_id: "row-1",
    text: "",
    image: null,
    thumbnail: null,
    media_restricted: false,
    metadata: {},
    content_hash: "x",
    split: "train",
    predicted_label: "",
    confidence: null,
    priority: 0,
    is_audit: false,
    scored_by: null,
    created_at: "2024-01-01T00:00:00Z",
    annotations: [],
    ...overrides,
  };
}

const HOSTILE = [
  '<script>window.__pwned = true</script>',
  '<img src=x onerror="window.__pwned = true">',
  "<b>bold?</b>\nsecond line",
].join("\n");

describe("item text", () => {
  it("is rendered as literal text: no script, image or bold element is created", () => {
    const { container } = render(<ItemContent item={item({ text: HOSTILE })} />);

    const text = screen.getByTestId("item-text");
    expect(text.textContent).toBe(HOSTILE);
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect((window as { __pwned?: boolean }).__pwned).toBeUndefined();
  });

  it("is rendered as text inside the items table too", () => {
    const { container } = render(
      <MemoryRouter>
        <ItemsTable items={[item({ text: HOSTILE })]} itemHref={() => "/items/1"} />
      </MemoryRouter>,
    );

    const row = screen.getByTestId("item-row");
    // The list shows a preview: the same text, its line breaks folded into spaces.
    expect(within(row).getByTestId("item-text").textContent).toBe(HOSTILE.replace(/\s+/g, " "));
    expect(container.querySelector("img, script, b")).toBeNull();
  });

  it("keeps line breaks through CSS, not <br> elements", () => {
    const { container } = render(<ItemContent item={item({ text: "one\ntwo" })} />);

    expect(screen.getByTestId("item-text")).toHaveClass("item-text");
    expect(container.querySelector("br")).toBeNull();
  });

  it("cuts long texts in lists and says how much is left out", () => {
    render(<ItemContent item={item({ text: "a".repeat(50) })} maxChars={10} />);

    expect(screen.getByTestId("item-text")).toHaveTextContent(`${"a".repeat(10)} … (40 more characters)`);
  });

  it("shows a preview in a list as a few clamped lines, line breaks folded", () => {
    render(<ItemContent item={item({ text: "Subject: hi\n\nDear friend,\n" + "b".repeat(500) })} maxChars={40} previewLines={3} />);

    const preview = screen.getByTestId("item-text");
    expect(preview).toHaveClass("item-text-preview");
    expect(preview).toHaveStyle({ WebkitLineClamp: "3" });
    expect(preview.textContent).toBe(`Subject: hi Dear friend, ${"b".repeat(15)}…`);
  });

  it("shows an image item as its thumbnail with alt text", () => {
    const base = "/api/v1/projects/1/items/1";
    render(<ItemContent item={item({ text: null, image: `${base}/image/`, thumbnail: `${base}/thumbnail/` })} />);

    const img = screen.getByRole("img", { name: `Item ${isolate("row-1")}` });
    expect(img).toHaveAttribute("src", `${base}/thumbnail/`);
    expect(img.closest("a")).toHaveAttribute("href", `${base}/image/`);
  });

  it("shows a media-restricted image blurred, with no link to the full image, in lists", () => {
    const base = "/api/v1/projects/1/items/1";
    const restricted = item({ text: null, image: `${base}/image/`, thumbnail: `${base}/thumbnail/`, media_restricted: true });
    const { container } = render(<ItemContent item={restricted} />);

    expect(screen.getByTestId("item-image-blurred")).toHaveAttribute("src", `${base}/thumbnail/`);
    expect(container.querySelector("a")).toBeNull();
    expect(container.querySelector(`img[src="${base}/image/"]`)).toBeNull();
  });

  it("requests a media-restricted full image only when the person reveals it", async () => {
    const user = userEvent.setup();
    const base = "/api/v1/projects/1/items/1";
    const restricted = item({ text: null, image: `${base}/image/`, thumbnail: `${base}/thumbnail/`, media_restricted: true });
    const { container } = render(<ItemContent item={restricted} imageSize="full" />);
    expect(container.querySelector(`img[src="${base}/image/"]`)).toBeNull();

    await user.click(screen.getByRole("button", { name: "Reveal image" }));

    expect(screen.getByTestId("item-image-full")).toHaveAttribute("src", `${base}/image/`);
    await user.click(screen.getByRole("button", { name: "Blur again" }));
    expect(screen.getByTestId("item-image-blurred")).toHaveAttribute("src", `${base}/thumbnail/`);
  });
});
