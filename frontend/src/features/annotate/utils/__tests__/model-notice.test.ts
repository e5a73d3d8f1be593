import { describe, expect, it } from "vitest";

import { modelNoticeText } from "../model-notice";

describe("modelNoticeText", () => {
  const model = { version: 7, roc_auc: 0.94, previous_roc_auc: 0.92, created_at: "2024-05-01T10:00:00Z" };

  it("names the version, its ROC AUC and the change", () => {
    expect(modelNoticeText(model)).toBe("Model v7 is now live: ROC AUC 0.94 (+0.02)");
    expect(modelNoticeText({ ...model, previous_roc_auc: 0.95 })).toBe("Model v7 is now live: ROC AUC 0.94 (−0.01)");
    expect(modelNoticeText({ ...model, previous_roc_auc: 0.9401 })).toBe("Model v7 is now live: ROC AUC 0.94 (±0.00)");
  });

  it("leaves out what is not known", () => {
    expect(modelNoticeText({ ...model, previous_roc_auc: null })).toBe("Model v7 is now live: ROC AUC 0.94");
    expect(modelNoticeText({ ...model, roc_auc: null })).toBe("Model v7 is now live");
  });
});
