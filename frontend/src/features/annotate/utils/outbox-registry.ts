import { releaseLease } from "../api/release-lease";
import { skipItem } from "../api/skip-item";
import { submitAnnotation } from "../api/submit-annotation";
import { updateAnnotation } from "../api/update-annotation";
import { Outbox } from "./outbox";

const outboxes = new Map<string, Outbox>();

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The one outbox per signed-in user and project in this tab.
 *
 * It outlives the workspace page on purpose: answers still waiting when the person opens another
 * page keep being retried, and coming back shows the same queue. Storage is keyed by user, so
 * someone else signing in on this browser never sends another person's answers.
 */
export function outboxFor({ projectId, userKey }: { projectId: number; userKey: string }): Outbox {
  const storageKey = `tandem.annotate.${userKey}.${projectId}`;
  const existing = outboxes.get(storageKey);
  if (existing) return existing;
  const outbox = new Outbox({
    storage: localStorageOrNull(),
    storageKey,
    transport: {
      submit: (op) =>
        submitAnnotation({
          projectId,
          itemId: op.itemId,
          labels: op.labels,
          clientKey: op.id,
          timeOnItemMs: op.timeOnItemMs,
          next: op.next ?? false,
        }),
      edit: (annotationId, op) => updateAnnotation({ projectId, annotationId, labels: op.labels }),
      skip: (op) => skipItem({ projectId, itemId: op.itemId, reason: op.reason ?? "", next: op.next ?? false }),
    },
    release: (itemId) => releaseLease({ projectId, itemId }),
  });
  outboxes.set(storageKey, outbox);
  window.addEventListener("online", () => outbox.retryNow());
  outbox.load();
  return outbox;
}
