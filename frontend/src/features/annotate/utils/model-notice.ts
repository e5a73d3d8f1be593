import type { QueueModel } from "../types";

/** "Model v7 is now live: ROC AUC 0.94 (+0.02)" — the change against the version before it. */
export function modelNoticeText(model: QueueModel): string {
  const head = `Model v${model.version} is now live`;
  if (model.roc_auc === null) return head;
  const auc = `${head}: ROC AUC ${model.roc_auc.toFixed(2)}`;
  if (model.previous_roc_auc === null) return auc;
  const delta = Number((model.roc_auc - model.previous_roc_auc).toFixed(2));
  const sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
  return `${auc} (${sign}${Math.abs(delta).toFixed(2)})`;
}
