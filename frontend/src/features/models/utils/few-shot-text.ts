import type { ModelVersion } from "../types";

type FewShotRecord = NonNullable<ModelVersion["metrics"]["few_shot"]>;

const auc = (value: number | null | undefined) => (value === null || value === undefined ? "n/a" : value.toFixed(3));

function trainingText(record: FewShotRecord): string {
  const training = record.training as { seconds?: number; steps?: number } | undefined;
  if (!training || training.seconds === undefined) return "";
  return ` (fine-tuned for ${Math.round(training.seconds)} s, ${training.steps ?? 0} steps)`;
}

/** The short note under a version's algorithm in the versions table (null: few-shot was off). */
export function fewShotNote(record: FewShotRecord | undefined): { text: string; title: string } | null {
  if (!record) return null;
  const title = record.reason ?? "";
  if (record.kept) {
    return {
      text: `few-shot: ROC AUC ${auc(record.roc_auc)}, logistic regression ${auc(record.roc_auc_logistic_regression)}`,
      title,
    };
  }
  if (record.roc_auc === undefined) return { text: "few-shot not trained", title };
  return {
    text: `few-shot tried: ROC AUC ${auc(record.roc_auc)}, not above ${auc(record.roc_auc_logistic_regression)}`,
    title,
  };
}

/** One sentence for the version's detail: which model this is and why. */
export function fewShotSentence(record: FewShotRecord | undefined): string | null {
  if (!record) return null;
  if (record.kept) {
    return (
      `This is the few-shot model: MiniLM fine-tuned on these labels${trainingText(record)}, ` +
      `held-out ROC AUC ${auc(record.roc_auc)} against the logistic regression's ${auc(record.roc_auc_logistic_regression)}.`
    );
  }
  if (record.roc_auc === undefined) {
    return `No few-shot model was trained: ${record.reason ?? "no reason recorded"}.`;
  }
  return (
    `A few-shot model was also trained${trainingText(record)}: held-out ROC AUC ${auc(record.roc_auc)}, ` +
    `not above the logistic regression's ${auc(record.roc_auc_logistic_regression)}, so this version is the logistic regression.`
  );
}
