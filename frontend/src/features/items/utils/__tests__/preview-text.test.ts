import { describe, expect, it } from "vitest";

import { previewText } from "../preview-text";

describe("previewText", () => {
  it("folds an email's line breaks and indentation into single spaces", () => {
    expect(previewText("Subject: hi\n\n  Dear friend,\r\n\tyou won", 100)).toBe("Subject: hi Dear friend, you won");
  });

  it("cuts a long text and marks the cut", () => {
    expect(previewText(`${"a".repeat(8)} bcd`, 9)).toBe(`${"a".repeat(8)}…`);
    expect(previewText("short", 9)).toBe("short");
  });
});
