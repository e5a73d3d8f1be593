import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import type { Item } from "../../types";
import { ItemsTable } from "../items-table";

function item(overrides: Partial<Item>): Item {
  return {
    id: 1,
    external_id: "a",
    text: "Win a prize",
    image: null,
    thumbnail: null,
    media_restricted: false,
    metadata: {},
    content_hash: "h",
    split: "train",
    created_at: "2024-05-01T10:00:00Z",
    annotations: [],
    predicted_label: "",
    confidence: null,
    priority: 0,
    is_audit: false,
    scored_by: null,
    ...overrides,
  };
}

describe("ItemsTable", () => {
  it("shows the model's proposal with its confidence, and a dash before any model", () => {
    renderWithProviders(
      <ItemsTable
        items={[item({ id: 1, predicted_label: "spam", confidence: 0.934 }), item({ id: 2, external_id: "b" })]}
        itemHref={(row) => `/items/${row.id}`}
      />,
    );

    const proposals = screen.getAllByTestId("item-proposal");
    expect(proposals[0]).toHaveTextContent("spam (93%)");
    expect(proposals[1]).toHaveTextContent("—");
  });
});
