import type { AuthorAction, DecisionAction, DecisionInput, ReasonCode } from "../types";

/** The decision a moderator is putting together on the current content. */
export type DecisionDraft = {
  action: DecisionAction | null;
  reasonCode: string | null;
  note: string;
  authorAction: AuthorAction;
  suspendDays: number;
};

export const DEFAULT_SUSPEND_DAYS = 7;

export const EMPTY_DRAFT: DecisionDraft = {
  action: null,
  reasonCode: null,
  note: "",
  authorAction: "none",
  suspendDays: DEFAULT_SUSPEND_DAYS,
};

/** The reason codes offered (and numbered 1–9) for the chosen action; all of them before one is chosen. */
export function reasonsFor(codes: readonly ReasonCode[], action: DecisionAction | null): ReasonCode[] {
  return action === null ? [...codes] : codes.filter((code) => code.action === action);
}

/** Choose an action: a reason that supports another action is dropped; a single fitting reason is picked. */
export function chooseAction(draft: DecisionDraft, codes: readonly ReasonCode[], action: DecisionAction): DecisionDraft {
  const fitting = reasonsFor(codes, action);
  const keep = fitting.some((code) => code.code === draft.reasonCode);
  const only = fitting.length === 1 ? fitting[0]?.code ?? null : null;
  return { ...draft, action, reasonCode: keep ? draft.reasonCode : only };
}

/** Pick the `index`-th offered reason (0-based); picking one before an action takes the reason's action. */
export function chooseReason(draft: DecisionDraft, codes: readonly ReasonCode[], index: number): DecisionDraft {
  const code = reasonsFor(codes, draft.action)[index];
  if (!code) return draft;
  return { ...draft, action: code.action ?? "remove", reasonCode: code.code };
}

export function toggleAuthorAction(draft: DecisionDraft, authorAction: Exclude<AuthorAction, "none">): DecisionDraft {
  return { ...draft, authorAction: draft.authorAction === authorAction ? "none" : authorAction };
}

/**
 * What is still missing before the draft can be sent, or null when it is ready. Approve and remove
 * need a reason code of the policy; an escalation may go without one when the policy has none.
 */
export function draftProblem(draft: DecisionDraft, codes: readonly ReasonCode[]): string | null {
  if (draft.action === null) return "Choose approve (a), remove (r) or escalate (e) first.";
  const fitting = reasonsFor(codes, draft.action);
  if (draft.reasonCode === null && (draft.action !== "escalate" || fitting.length > 0)) {
    return fitting.length === 0
      ? `The policy has no reason code for “${draft.action}”.`
      : "Pick a reason code (1–9).";
  }
  if (draft.authorAction === "suspend" && !(Number.isInteger(draft.suspendDays) && draft.suspendDays >= 1)) {
    return "A suspension needs a whole number of days, at least 1.";
  }
  return null;
}

/** The request body for a ready draft (check `draftProblem` first). */
export function draftToInput(draft: DecisionDraft): Omit<DecisionInput, "time_spent_ms"> {
  return {
    action: draft.action ?? "escalate",
    reason_code: draft.reasonCode ?? "",
    ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
    author_action: draft.authorAction,
    ...(draft.authorAction === "suspend" ? { suspend_days: draft.suspendDays } : {}),
  };
}
