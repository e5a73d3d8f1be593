import { useEffect, useId, useRef, useState } from "react";

import { Modal } from "@/components/ui/modal";
import { indexForDigitKey, isTypingTarget } from "@/lib/keyboard";

import type { ReasonPrompt } from "../utils/annotate-session-model";

/** The longest reason the server stores (longer ones are refused). */
export const REASON_MAX_LENGTH = 500;

/** Why people skip, in the guidelines' words; the last one takes their own text. */
export const SKIP_REASONS = ["Unsure", "Not readable", "Not in the guidelines", "Other"] as const;
const OTHER = SKIP_REASONS.length - 1;

type ReasonSession = {
  skip: (at?: number, reason?: string) => void;
  sendFlag: (reason: string) => void;
  closePrompt: () => void;
};

type Actions = { skip: (reason: string) => void; flag: (reason: string) => void; cancel: () => void };

/** The skip or flag reason the session asks for, if any (one line to mount in the workspace). */
export function ReasonDialog({ prompt, session }: { prompt: ReasonPrompt | null; session: ReasonSession }) {
  if (!prompt) return null;
  const actions: Actions = {
    skip: (reason) => session.skip(undefined, reason),
    flag: (reason) => session.sendFlag(reason),
    cancel: () => session.closePrompt(),
  };
  return prompt.kind === "skip" ? (
    <SkipReasonDialog key={prompt.itemId} prompt={prompt} actions={actions} />
  ) : (
    <FlagReasonDialog key={prompt.itemId} prompt={prompt} actions={actions} />
  );
}

/**
 * Listen before the workspace does (capture): Enter sends, Esc cancels, `onKey` may take other
 * keys; every other key outside a text field is stopped, so no label key acts behind the dialog.
 */
function useDialogKeys(send: () => void, cancel: () => void, onKey?: (event: KeyboardEvent) => void) {
  const handlers = useRef({ send, cancel, onKey });
  useEffect(() => {
    handlers.current = { send, cancel, onKey };
  }, [send, cancel, onKey]);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.key === "Tab") return;
      const typing = isTypingTarget(event.target);
      if (event.key === "Enter") {
        event.preventDefault();
        if (!event.repeat) handlers.current.send();
      } else if (event.key === "Escape") {
        event.preventDefault();
        handlers.current.cancel();
      } else if (!typing) {
        handlers.current.onKey?.(event);
        event.preventDefault();
      }
    }
    window.addEventListener("keydown", onKeyDown, true);
    return () => window.removeEventListener("keydown", onKeyDown, true);
  }, []);
}

type DialogProps = { prompt: ReasonPrompt; actions: Actions };

function SkipReasonDialog({ prompt, actions }: DialogProps) {
  const [choice, setChoice] = useState<number | null>(null);
  const [other, setOther] = useState("");
  const otherInput = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const reason = choice === null ? "" : choice === OTHER ? other.trim() : (SKIP_REASONS[choice] ?? "");
  const ready = reason.length > 0;

  function choose(index: number) {
    setChoice(index);
    if (index === OTHER) otherInput.current?.focus();
  }
  const send = () => {
    if (!ready) return;
    actions.skip(choice === OTHER ? `Other: ${reason}` : reason);
  };
  useDialogKeys(send, actions.cancel, (event) => {
    const index = indexForDigitKey(event.key);
    if (index !== null && index < SKIP_REASONS.length) choose(index);
  });

  return (
    <Modal title="Skip this item: why?" onClose={actions.cancel} testId="skip-reason" closeOnEscape={false}>
      <p className="hint break-anywhere">Item {prompt.externalId}</p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <fieldset className="stack" aria-describedby={hintId}>
          <legend className="visually-hidden">Reason</legend>
          {SKIP_REASONS.map((label, index) => (
            <label key={label} className="row">
              <input
                type="radio"
                name="skip-reason"
                checked={choice === index}
                onChange={() => choose(index)}
                data-testid={`skip-reason-${index + 1}`}
              />
              <kbd>{index + 1}</kbd> {label}
              {index === OTHER ? (
                <input
                  ref={otherInput}
                  type="text"
                  aria-label="Other reason"
                  size={40}
                  maxLength={REASON_MAX_LENGTH}
                  value={other}
                  onFocus={() => setChoice(OTHER)}
                  onChange={(event) => setOther(event.target.value)}
                  data-testid="skip-reason-other"
                />
              ) : null}
            </label>
          ))}
        </fieldset>
        <p className="hint" id={hintId}>
          Press a number to choose, <kbd>Enter</kbd> to skip, <kbd>Esc</kbd> to keep the item. (In the workspace,{" "}
          <kbd>space</kbd> alone skips without a reason.)
        </p>
        <DialogButtons verb="Skip" ready={ready} testId="skip-reason-send" onCancel={actions.cancel} />
      </form>
    </Modal>
  );
}

function FlagReasonDialog({ prompt, actions }: DialogProps) {
  const [reason, setReason] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const ready = reason.trim().length > 0;
  // The modal takes focus as it opens (its effect runs after this one's): the field takes it back.
  useEffect(() => {
    const timer = setTimeout(() => input.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);
  const send = () => {
    if (ready) actions.flag(reason.trim());
  };
  useDialogKeys(send, actions.cancel);

  return (
    <Modal title="Flag this item for review" onClose={actions.cancel} testId="flag-reason" closeOnEscape={false}>
      <p className="hint break-anywhere">Item {prompt.externalId}</p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <label htmlFor={inputId}>What is unclear?</label>
        <input
          ref={input}
          id={inputId}
          type="text"
          maxLength={REASON_MAX_LENGTH}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          placeholder="e.g. two labels fit; the guidelines do not cover this"
          size={48}
          data-testid="flag-reason-input"
        />
        <DialogButtons verb="Flag" ready={ready} testId="flag-reason-send" onCancel={actions.cancel} />
      </form>
    </Modal>
  );
}

/** Send (Enter, the form's submit) and Cancel (Esc), the same in both dialogs. */
function DialogButtons(props: { verb: string; ready: boolean; testId: string; onCancel: () => void }) {
  return (
    <div className="row">
      <button type="submit" className="btn-primary" disabled={!props.ready} data-testid={props.testId}>
        {props.verb} <kbd>Enter</kbd>
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel <kbd>Esc</kbd>
      </button>
    </div>
  );
}
