import { describe, expect, it } from "vitest";

import { auditDiff, auditSummary } from "../audit-diff";

describe("auditDiff", () => {
  it("pairs each field's before and after, by field name, and says how it changed", () => {
    expect(auditDiff({ role: "moderator", note: "x" }, { role: "senior_moderator", name: "Ann" })).toEqual([
      { field: "name", before: undefined, after: "Ann", change: "added" },
      { field: "note", before: "x", after: undefined, change: "removed" },
      { field: "role", before: "moderator", after: "senior_moderator", change: "changed" },
    ]);
  });

  it("flattens nested objects into dotted fields and writes lists and nulls readably", () => {
    const rows = auditDiff(
      { thresholds: { spam: 0.9, abuse: 0.8 }, codes: ["A", "B"], reviewer: "mia" },
      { thresholds: { spam: 0.95, abuse: 0.8 }, codes: ["A"], reviewer: null },
    );
    expect(rows.map((row) => [row.field, row.before, row.after, row.change])).toEqual([
      ["codes", "A, B", "A", "changed"],
      ["reviewer", "mia", "none", "changed"],
      ["thresholds.abuse", "0.8", "0.8", "unchanged"],
      ["thresholds.spam", "0.9", "0.95", "changed"],
    ]);
  });

  it("has no rows when nothing was recorded, and one for a bare value", () => {
    expect(auditDiff(null, null)).toEqual([]);
    expect(auditDiff(undefined, "on")).toEqual([{ field: "value", before: undefined, after: "on", change: "added" }]);
  });
});

describe("auditSummary", () => {
  it("names the first changes and counts the rest", () => {
    const rows = auditDiff({ a: 1, b: 2, c: 3 }, { a: 10, b: 20, c: 30 });
    expect(auditSummary(rows)).toBe("a: 1 → 10; b: 2 → 20; +1 more");
  });

  it("shows a creation's values, shortened to one line", () => {
    const long = `first line\n${"x".repeat(80)}`;
    expect(auditSummary(auditDiff(null, { note: long }))).toBe(`note: first line ${"x".repeat(28)}…`);
  });

  it("is empty when nothing changed", () => {
    expect(auditSummary(auditDiff({ a: 1 }, { a: 1 }))).toBe("");
  });
});
