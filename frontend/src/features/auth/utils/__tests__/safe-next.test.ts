import { describe, expect, it } from "vitest";

import { safeNextPath } from "../safe-next";

describe("safeNextPath", () => {
  it("follows paths inside the app", () => {
    expect(safeNextPath("/projects/3/items?split=dev")).toBe("/projects/3/items?split=dev");
  });

  it.each([null, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "/login"])(
    "refuses %s and falls back to the projects",
    (next) => {
      expect(safeNextPath(next)).toBe("/projects");
    },
  );
});
