import { render, screen, within } from "@testing-library/react";
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
    expect(within(row).getByTestId("item-text").textContent).toBe(HOSTILE);
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

  it("shows an image item as its thumbnail with alt text", () => {
    render(<ItemContent item={item({ text: null, image: "/media/a.png", thumbnail: "/media/a.thumb.jpg" })} />);

    const img = screen.getByRole("img", { name: `Item ${isolate("row-1")}` });
    expect(img).toHaveAttribute("src", "/media/a.thumb.jpg");
    expect(img.closest("a")).toHaveAttribute("href", "/media/a.png");
  });
});
