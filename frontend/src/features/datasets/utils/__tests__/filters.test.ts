// @vitest-environment node
import { describe, expect, it } from "vitest";

import { formatsFor } from "../../types";
import { emptyForm, filtersFromForm, filtersSummary, hasAutomaticSources } from "../filters";

describe("filtersFromForm", () => {
  it("sends people's sources and labeled-only by default, leaving 'all' choices out", () => {
    expect(filtersFromForm(emptyForm())).toEqual({
      sources: ["human", "import", "moderation", "appeal"],
      labeled_only: true,
    });
  });

  it("merges metadata rows by key, drops blank ones, and sends dates as UTC instants", () => {
    const filters = filtersFromForm({
      ...emptyForm(),
      labeledAfter: "2026-01-31T00:00",
      metadata: [
        { key: " lang ", values: "en, fr" },
        { key: "lang", values: "de" },
        { key: "", values: "x" },
        { key: "country", values: " , " },
      ],
    });
    expect(filters.metadata).toEqual({ lang: ["en", "fr", "de"] });
    expect(filters.labeled_after).toBe(new Date("2026-01-31T00:00").toISOString());
    expect(filters.labeled_before).toBeUndefined();
  });
});

describe("filtersSummary", () => {
  it("reads a stored (canonical) filter in one line", () => {
    expect(
      filtersSummary({
        sources: ["human", "auto"],
        splits: [],
        classes: ["spam"],
        labeled_only: false,
        labeled_after: null,
        labeled_before: null,
        metadata: { lang: ["en", "fr"] },
      }),
    ).toBe("annotators, auto-labels (the model's own) · classes spam · unlabeled items too · lang = en or fr");
  });
});

describe("hasAutomaticSources and formatsFor", () => {
  it("flags the model's own labels, and offers ImageFolder to image projects only", () => {
    expect(hasAutomaticSources(["human", "automatic_decision"])).toBe(true);
    expect(hasAutomaticSources(["human", "import"])).toBe(false);
    expect(formatsFor("text")).not.toContain("imagefolder");
    expect(formatsFor("image")).toContain("imagefolder");
  });
});
