import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useRef, useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { useFitToViewport } from "@/hooks/use-fit-to-viewport";
import { useScrollKeys } from "@/hooks/use-scroll-keys";
import { paths } from "@/config/paths";
import { formatDecimal } from "@/lib/format";

import { usePolicy } from "../../api/get-policy";
import { useWellness } from "../../api/get-wellness";
import { moderationKeys } from "../../api/keys";
import { useLogBreak } from "../../api/log-break";
import { useRevealText } from "../../api/reveal-text";
import { useGraphicTimer } from "../../hooks/use-graphic-timer";
import { useReviewKeys } from "../../hooks/use-review-keys";
import { type ReviewSession, useReviewSession } from "../../hooks/use-review-session";
import type { ContentDetail, DecisionAction, ReasonCode, ReviewTier } from "../../types";
import { stateLabel, tierLabel } from "../../types";
import {
  chooseAction,
  chooseReason,
  type DecisionDraft,
  draftProblem,
  draftToInput,
  EMPTY_DRAFT,
  toggleAuthorAction,
} from "../../utils/decision-draft";
import type { ReviewCommand } from "../../utils/keymap";
import { SlaCountdown } from "../shared/sla-countdown";
import { breakDue } from "../../utils/wellness";
import { type ContentLook, ContentView, PLAIN_LOOK } from "./content-view";
import { AuthorPanel, DecisionsPanel, ReportsPanel, SuggestionPanel } from "./context-panels";
import { ThreadPanel } from "./thread-panel";
import { actionsForTier } from "../../utils/tier-actions";
import { DecisionForm } from "./decision-form";
import { QueuePicker } from "./queue-picker";
import { SimilarContentsPanel } from "./similar-contents";
import { ReviewHelp } from "./review-help";
import { BreakReminder, ExposureCounter } from "./wellness-bar";
import "../moderation.css";

type ReviewPanelProps = {
  tier: ReviewTier;
  /** A way back (the route's link to the queue), shown at the start of the panel's bar. */
  back?: ReactNode;
  policy?: number | undefined;
  category?: number | undefined;
  /** The review queue worked (undefined: every queue the moderator may work). */
  queue?: number | undefined;
  /** Work another queue (the route starts a new session); without it, no picker is shown. */
  onQueueChange?: ((queue: number | undefined) => void) | undefined;
};

/** The policy's reason codes (moderators may read their policies; cached across contents). */
function useReasonCodes(content: ContentDetail): ReasonCode[] {
  const policy = usePolicy(content.policy);
  return policy.data?.reason_codes ?? [];
}

type ReviewItemProps = {
  content: ContentDetail;
  tier: ReviewTier;
  session: ReviewSession;
  helpOpen: boolean;
  setHelpOpen: (update: (open: boolean) => boolean) => void;
  look: ContentLook;
  setGrayscale: (update: (on: boolean) => boolean) => void;
};

/**
 * One content under review, with its own decision draft; it is mounted afresh for each content, so
 * every content starts with an empty decision and a blurred image.
 */
function ReviewItem({ content, tier, session, helpOpen, setHelpOpen, look, setGrayscale }: ReviewItemProps) {
  const codes = useReasonCodes(content);
  const actions = actionsForTier(tier);
  const [draft, setDraft] = useState<DecisionDraft>(EMPTY_DRAFT);
  const [revealed, setRevealed] = useState(false);
  const [textRevealed, setTextRevealed] = useState(false);
  const queryClient = useQueryClient();
  const revealText = useRevealText();
  const masked = look.hideFlaggedTerms && (content.flagged_segments ?? []).length > 0;
  const { mutate: recordTextReveal } = revealText;
  const showText = useCallback(() => {
    if (textRevealed) return;
    setTextRevealed(true);
    recordTextReveal(content.id);
  }, [textRevealed, recordTextReveal, content.id]);
  const [hint, setHint] = useState<string | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  // Space is no review key: it pages the content like PageDown, as on any page.
  useScrollKeys(contentRef, { space: true });
  const problem = draftProblem(draft, codes);
  const { decide, skip, busy } = session;

  const submit = useCallback(() => {
    if (problem !== null) {
      setHint(problem);
      return;
    }
    setHint(null);
    void decide(draftToInput(draft));
  }, [problem, draft, decide]);

  const onCommand = useCallback(
    (command: ReviewCommand): boolean => {
      if (command.type === "help") {
        setHelpOpen((open) => !open);
        return true;
      }
      if (command.type === "escape") {
        if (helpOpen) setHelpOpen(() => false);
        else setDraft((current) => ({ ...EMPTY_DRAFT, note: current.note }));
        return true;
      }
      if (helpOpen || busy) return false;
      switch (command.type) {
        case "action":
          if (!actions.includes(command.action)) return false;
          setDraft((current) => chooseAction(current, codes, command.action));
          return true;
        case "reason":
          setDraft((current) => chooseReason(current, codes, command.index));
          return true;
        case "warn":
          setDraft((current) => toggleAuthorAction(current, "warn"));
          return true;
        case "suspend":
          setDraft((current) => toggleAuthorAction(current, "suspend"));
          return true;
        case "reveal":
          if (content.has_image) {
            setRevealed((value) => !value);
            return true;
          }
          if (masked && !textRevealed) {
            showText();
            return true;
          }
          return false;
        case "grayscale":
          setGrayscale((value) => !value);
          return true;
        case "next":
          void skip();
          return true;
        case "note":
          noteRef.current?.focus();
          return true;
        case "submit":
          submit();
          return true;
      }
      return false;
    },
    [helpOpen, setHelpOpen, busy, codes, actions, content.has_image, masked, textRevealed, showText, setGrayscale, skip, submit],
  );
  useReviewKeys(onCommand);

  return (
    <div className="review-layout" data-testid="review-item" data-content-id={content.id}>
      <div className="stack review-main">
        <p className="hint" data-testid="review-meta">
          <span data-testid="review-external-id">{content.external_id}</span> · {content.policy_name} ·{" "}
          <span data-testid="review-state">{stateLabel(content.state)}</span> · priority{" "}
          {formatDecimal(content.priority, 2)} · SLA <SlaCountdown dueAt={content.sla_due_at} />
        </p>
        <ContentView
          contentRef={contentRef}
          content={content}
          revealed={revealed}
          look={look}
          textRevealed={textRevealed}
          onReveal={() => setRevealed((value) => !value)}
          onRevealText={showText}
          onToggleGrayscale={() => setGrayscale((value) => !value)}
          onImageShown={() => void queryClient.invalidateQueries({ queryKey: moderationKeys.exposureAll })}
        />
        <ErrorMessage error={session.actionError} title="The decision was not saved" />
        {hint ? (
          <p role="alert" className="alert alert-warning" data-testid="review-hint">
            {hint}
          </p>
        ) : null}
        <DecisionForm
          draft={draft}
          codes={codes}
          actions={actions}
          problem={problem}
          busy={busy}
          noteRef={noteRef}
          onAction={(action: DecisionAction) => setDraft((current) => chooseAction(current, codes, action))}
          onReason={(index) => setDraft((current) => chooseReason(current, codes, index))}
          onToggleWarn={() => setDraft((current) => toggleAuthorAction(current, "warn"))}
          onToggleSuspend={() => setDraft((current) => toggleAuthorAction(current, "suspend"))}
          onChange={setDraft}
          onSubmit={submit}
          onSkip={() => void skip()}
        />
      </div>
      <aside className="stack review-side" aria-label="Context">
        <SuggestionPanel content={content} />
        <ThreadPanel content={content} hideFlaggedTerms={look.hideFlaggedTerms} />
        <ReportsPanel content={content} />
        <AuthorPanel content={content} />
        <SimilarContentsPanel contentId={content.id} hideTexts={look.hideFlaggedTerms && !textRevealed} />
        <DecisionsPanel content={content} />
      </aside>
    </div>
  );
}

/**
 * A moderator's review of one queue tier, one content at a time, keyboard first: the content
 * (images blurred until revealed), its context, and a decision form. Sending a decision shows the
 * next content.
 *
 * The panel takes the height left in the window: the content scrolls in its own box (PageDown,
 * PageUp and Space page it) and the context in its column, so the decision form and its Send
 * button stay in view whatever the content's length.
 */
export function ReviewPanel({ tier, policy, category, queue, onQueueChange, back }: ReviewPanelProps) {
  const session = useReviewSession({ tier, policy, category, queue });
  const panelRef = useRef<HTMLDivElement>(null);
  useFitToViewport(panelRef);
  const [helpOpen, setHelpOpen] = useState(false);
  // The moderator's wellness settings; grayscale may be switched for the session with `g`.
  const wellness = useWellness();
  const settings = wellness.data?.effective;
  const [grayscaleChoice, setGrayscaleChoice] = useState<boolean | null>(null);
  const grayscale = grayscaleChoice ?? settings?.grayscale ?? false;
  const setGrayscale = useCallback(
    (update: (on: boolean) => boolean) => setGrayscaleChoice(update(grayscale)),
    [grayscale],
  );
  const look: ContentLook = settings
    ? {
        blur: settings.blur,
        grayscale,
        sepia: settings.sepia,
        hideFlaggedTerms: settings.hide_flagged_terms,
        muteMedia: settings.mute_media,
      }
    : { ...PLAIN_LOOK, grayscale };
  const { state } = session;
  const content = state.status === "ready" ? state.content : null;
  const breakMinutes = settings?.break_reminder_minutes ?? 0;
  const timer = useGraphicTimer(Boolean(content?.graphic) && breakMinutes > 0);
  const logBreak = useLogBreak();
  const answerReminder = (action: "break" | "dismissed") => {
    logBreak.mutate({ action, graphic_seconds: timer.seconds });
    timer.reset();
  };

  return (
    <div
      ref={panelRef}
      className="stack review-workspace"
      data-testid="review-panel"
      data-tier={tier}
      data-content-id={content?.id ?? ""}
      data-busy={session.busy ? "1" : "0"}
    >
      <div className="review-bar">
        {back}
        <strong>{tierLabel(tier)} queue</strong>
        {onQueueChange ? <QueuePicker tier={tier} value={queue} onChange={onQueueChange} /> : null}
        {session.notice ? (
          <span role="status" data-testid="review-notice">
            {session.notice}
          </span>
        ) : null}
        <span className="review-bar-end">
          <ExposureCounter />
          <Link to={paths.moderationWellness.href()} data-testid="review-wellness-link">
            Wellness settings
          </Link>
          <button type="button" className="btn btn-small" onClick={() => setHelpOpen(true)} data-testid="review-help-button">
            Keys <kbd>?</kbd>
          </button>
        </span>
      </div>
      {breakDue(timer.seconds, breakMinutes) ? (
        <BreakReminder
          seconds={timer.seconds}
          busy={logBreak.isPending}
          onBreak={() => answerReminder("break")}
          onDismiss={() => answerReminder("dismissed")}
        />
      ) : null}
      {state.status === "loading" ? <Loading label="Taking the next content…" /> : null}
      {state.status === "error" ? (
        <div className="stack">
          <ErrorMessage error={state.error} title="Could not take content from the queue" />
          <p>
            <button type="button" className="btn" onClick={session.retry}>
              Try again
            </button>
          </p>
        </div>
      ) : null}
      {state.status === "empty" ? (
        <div className="stack" data-testid="review-empty">
          <p>{state.message}</p>
          <p>
            <button type="button" className="btn" onClick={session.retry} data-testid="review-check-again">
              Check again
            </button>
          </p>
        </div>
      ) : null}
      {content ? (
        <ReviewItem
          key={content.id}
          content={content}
          tier={tier}
          session={session}
          helpOpen={helpOpen}
          setHelpOpen={setHelpOpen}
          look={look}
          setGrayscale={setGrayscale}
        />
      ) : null}
      {helpOpen ? <ReviewHelp actions={actionsForTier(tier)} onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}
