import type { RefObject } from "react";

import type { DecisionAction, ReasonCode } from "../../types";
import { ACTION_LABELS } from "../../types";
import { type DecisionDraft, reasonsFor } from "../../utils/decision-draft";
import { REVIEW_KEYS } from "../../utils/keymap";

type DecisionFormProps = {
  draft: DecisionDraft;
  codes: readonly ReasonCode[];
  /** The actions this queue tier offers (all of them unless told). */
  actions?: readonly DecisionAction[] | undefined;
  problem: string | null;
  busy: boolean;
  noteRef: RefObject<HTMLTextAreaElement | null>;
  onAction: (action: DecisionAction) => void;
  onReason: (index: number) => void;
  onToggleWarn: () => void;
  onToggleSuspend: () => void;
  onChange: (draft: DecisionDraft) => void;
  onSubmit: () => void;
  /** Give the content back and take the next one (shown beside Send when given). */
  onSkip?: (() => void) | undefined;
};

const ACTIONS: { action: DecisionAction; key: string; className: string }[] = [
  { action: "approve", key: REVIEW_KEYS.approve, className: "btn" },
  { action: "remove", key: REVIEW_KEYS.remove, className: "btn btn-danger" },
  { action: "escalate", key: REVIEW_KEYS.escalate, className: "btn" },
];

/** Action, reason code of the policy, note and author action; every control has its key. */
export function DecisionForm({
  draft,
  codes,
  actions,
  problem,
  busy,
  noteRef,
  onAction,
  onReason,
  onToggleWarn,
  onToggleSuspend,
  onChange,
  onSubmit,
  onSkip,
}: DecisionFormProps) {
  const offered = reasonsFor(codes, draft.action);
  return (
    <form
      className="stack decision-form"
      aria-label="Decision"
      data-testid="decision-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <div className="action-buttons" role="group" aria-label="Action">
        {ACTIONS.filter(({ action }) => actions === undefined || actions.includes(action)).map(({ action, key, className }) => (
          <button
            key={action}
            type="button"
            className={className}
            aria-pressed={draft.action === action}
            onClick={() => onAction(action)}
            data-testid={`decision-${action}`}
          >
            {ACTION_LABELS[action]} <kbd>{key}</kbd>
          </button>
        ))}
      </div>
      <fieldset>
        <legend>Reason</legend>
        {offered.length === 0 ? <p className="hint">No reason codes for this action.</p> : null}
        <ol className="reason-list" data-testid="reason-codes">
          {offered.map((code, index) => (
            <li key={code.code}>
              <button
                type="button"
                className="btn btn-small"
                aria-pressed={draft.reasonCode === code.code}
                onClick={() => onReason(index)}
                data-testid="reason-code"
                data-code={code.code}
              >
                {index < 9 ? <kbd>{index + 1}</kbd> : null} <strong>
                  <bdi>{code.code}</bdi>
                </strong>{" "}
                <bdi>{code.description}</bdi>
              </button>
            </li>
          ))}
        </ol>
      </fieldset>
      {/* The note and the author action share a line, leaving the content more room. */}
      <div className="decision-extras">
        <div className="field">
          <label htmlFor="decision-note">
            Note <kbd>{REVIEW_KEYS.note}</kbd>
          </label>
          <textarea
            id="decision-note"
            ref={noteRef}
            rows={2}
            value={draft.note}
            onChange={(event) => onChange({ ...draft, note: event.target.value })}
            data-testid="decision-note"
          />
        </div>
        <div className="author-actions" role="group" aria-label="Author action">
          <button
            type="button"
            className="btn btn-small"
            aria-pressed={draft.authorAction === "warn"}
            onClick={onToggleWarn}
            data-testid="author-warn"
          >
            Warn author <kbd>{REVIEW_KEYS.warn}</kbd>
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-pressed={draft.authorAction === "suspend"}
            onClick={onToggleSuspend}
            data-testid="author-suspend"
          >
            Suspend author <kbd>{REVIEW_KEYS.suspend}</kbd>
          </button>
          {draft.authorAction === "suspend" ? (
            <label className="field-narrow">
              for{" "}
              <input
                type="number"
                min={1}
                max={3650}
                value={Number.isNaN(draft.suspendDays) ? "" : draft.suspendDays}
                onChange={(event) => onChange({ ...draft, suspendDays: event.target.valueAsNumber })}
                data-testid="suspend-days"
                aria-label="Suspension in days"
              />{" "}
              days
            </label>
          ) : null}
        </div>
      </div>
      <div className="button-group decision-bar" data-testid="decision-bar">
        <button type="submit" className="btn btn-primary" disabled={busy || problem !== null} data-testid="decision-submit">
          Send decision <kbd>Enter</kbd>
        </button>
        {onSkip ? (
          <button type="button" className="btn btn-link" onClick={onSkip} data-testid="review-skip">
            Skip to the next <kbd>{REVIEW_KEYS.next}</kbd>
          </button>
        ) : null}
        {problem ? (
          <span className="hint" data-testid="decision-problem">
            {problem}
          </span>
        ) : null}
      </div>
    </form>
  );
}
