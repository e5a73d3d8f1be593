import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/api-client";

import { draftsFromLabelClasses, fieldError, labelClassesForUpdate } from "../project-settings";

describe("label class drafts", () => {
  it("keep each saved class's id so a new name is sent as a rename, in the saved order", () => {
    const drafts = draftsFromLabelClasses([
      { id: 8, name: "spam", colour: "#e45756", hotkey: "2", order: 1, description: "Ads and scams." },
      { id: 7, name: "ham", colour: "#4c78a8", hotkey: "1", order: 0 },
    ]);
    const renamed = drafts.map((draft) => (draft.id === 8 ? { ...draft, name: " junk " } : draft));

    expect(labelClassesForUpdate(renamed)).toEqual([
      { id: 7, name: "ham", colour: "#4c78a8", hotkey: "1", description: "" },
      { id: 8, name: "junk", colour: "#e45756", hotkey: "2", description: "Ads and scams." },
    ]);
  });

  it("send a new class without an id and without an empty hotkey, and always the description", () => {
    expect(
      labelClassesForUpdate([{ key: "k", name: "phishing", colour: "#123456", hotkey: "", description: "" }]),
    ).toEqual([{ name: "phishing", colour: "#123456", description: "" }]);
  });
});

describe("fieldError", () => {
  it("finds the server's message for one field, nested or not", () => {
    const error = new ApiError("Ensure this field has no more than 200 characters.", {
      status: 400,
      extra: { fields: { name: ["Ensure this field has no more than 200 characters."], label_classes: [{}, { colour: ["Colour must look like #1f77b4."] }] } },
    });

    expect(fieldError(error, "name")).toBe("Ensure this field has no more than 200 characters.");
    expect(fieldError(error, "label_classes")).toBe("Colour must look like #1f77b4.");
    expect(fieldError(error, "guidelines")).toBeUndefined();
    expect(fieldError(new Error("offline"), "name")).toBeUndefined();
  });
});
