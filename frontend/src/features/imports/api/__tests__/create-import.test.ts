import { describe, expect, it } from "vitest";

import { importFormData } from "../create-import";

describe("importFormData", () => {
  it("sends one file as `file` with only the options that were filled in", () => {
    const file = new File(["Label\tSMS\n"], "sms.tsv");
    const form = importFormData([file], { textColumn: " SMS ", labelColumn: "", delimiter: "\t" });

    expect(form.get("file")).toBeInstanceOf(File);
    expect((form.get("file") as File).name).toBe("sms.tsv");
    expect(form.get("text_column")).toBe("SMS");
    expect(form.get("delimiter")).toBe("\t");
    expect(form.has("label_column")).toBe(false);
    expect(form.has("files")).toBe(false);
  });

  it("sends several images as repeated `files`", () => {
    const form = importFormData([new File(["a"], "a.png"), new File(["b"], "b.png")]);

    expect(form.getAll("files").map((file) => (file as File).name)).toEqual(["a.png", "b.png"]);
    expect(form.has("file")).toBe(false);
  });
});
