import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";

import { claimNext, type ClaimNextInput } from "../api/claim-next";
import { releaseContent, releaseContentOnLeave, renewContent } from "../api/content-lease";
import { decideContent } from "../api/decide-content";
import { moderationKeys } from "../api/keys";
import { queueKeys } from "../api/queues";
import type { ContentDetail, DecisionInput } from "../types";

/** Renew the lease well before it runs out (the server's leases last 5 minutes). */
const RENEW_EVERY_MS = 120_000;

export type ReviewSessionState =
  | { status: "loading" }
  | { status: "ready"; content: ContentDetail; shownAt: number }
  | { status: "empty"; message: string }
  | { status: "error"; error: unknown };

export type ReviewSession = {
  state: ReviewSessionState;
  /** True while a decision or a skip is on its way. */
  busy: boolean;
  /** The last decision or skip that failed (the content stays on screen). */
  actionError: unknown;
  /** Said after a skip or a decision, e.g. "Removed. Next item." */
  notice: string | null;
  decide: (input: Omit<DecisionInput, "time_spent_ms">) => Promise<void>;
  skip: () => Promise<void>;
  retry: () => void;
};

const NOTHING_LEFT = "Nothing left to review here right now.";

// The content a closed session gave back, on its way: the next session (another queue or tier
// on the same page) claims only once it is back, or the late release would undo the new claim
// when both pick the same content.
let releasing: Promise<unknown> = Promise.resolve();

/**
 * One moderator working through a queue tier: holds the leased content on screen, decides it and
 * takes the next, skips (takes the next, then gives the skipped one back, so it is not handed out
 * again at once), renews the lease while the person reads, and gives the content back on leaving.
 */
export function useReviewSession(queue: ClaimNextInput): ReviewSession {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ReviewSessionState>({ status: "loading" });
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const mounted = useRef(true);
  const held = useRef<number | null>(null);
  // Skipped in this session: asked not to be handed back (until "Check again" starts over).
  const skipped = useRef<number[]>([]);
  const { tier, policy, category, queue: queueId } = queue;

  const show = useCallback((content: ContentDetail | null) => {
    held.current = content?.id ?? null;
    setState(
      content
        ? { status: "ready", content, shownAt: performance.now() }
        : { status: "empty", message: NOTHING_LEFT },
    );
  }, []);

  const take = useCallback(async () => {
    await releasing;
    const next = await claimNext({ tier, policy, category, queue: queueId, exclude: skipped.current });
    if (!mounted.current) {
      // The page closed while the claim was on its way: give the content straight back.
      if (next.content) void releaseContent(next.content.id).catch(() => undefined);
      return null;
    }
    return next;
  }, [tier, policy, category, queueId]);

  const fetchNext = useCallback(() => {
    take().then(
      (next) => next && show(next.content),
      (error: unknown) => mounted.current && setState({ status: "error", error }),
    );
  }, [take, show]);

  const retry = useCallback(() => {
    skipped.current = [];
    setState({ status: "loading" });
    fetchNext();
  }, [fetchNext]);

  useEffect(() => {
    mounted.current = true;
    fetchNext();
    return () => {
      mounted.current = false;
      const current = held.current;
      held.current = null;
      if (current !== null) releasing = releaseContent(current).catch(() => undefined);
    };
  }, [fetchNext]);

  // Closing the tab unmounts nothing: give the content back on `pagehide`, and claim again if
  // the page comes back from the back/forward cache.
  useEffect(() => {
    const leave = () => {
      const current = held.current;
      held.current = null;
      if (current !== null) releaseContentOnLeave(current);
    };
    const back = (event: PageTransitionEvent) => {
      if (event.persisted) retry();
    };
    window.addEventListener("pagehide", leave);
    window.addEventListener("pageshow", back);
    return () => {
      window.removeEventListener("pagehide", leave);
      window.removeEventListener("pageshow", back);
    };
  }, [retry]);

  const currentId = state.status === "ready" ? state.content.id : null;
  useEffect(() => {
    if (currentId === null) return;
    const timer = window.setInterval(() => void renewContent(currentId).catch(() => undefined), RENEW_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [currentId]);

  const decide = useCallback(
    async (input: Omit<DecisionInput, "time_spent_ms">) => {
      if (state.status !== "ready" || busy) return;
      setBusy(true);
      setActionError(null);
      try {
        await decideContent({
          contentId: state.content.id,
          input: { ...input, time_spent_ms: Math.max(0, Math.round(performance.now() - state.shownAt)) },
        });
        held.current = null;
        void queryClient.invalidateQueries({ queryKey: moderationKeys.queueAll });
        void queryClient.invalidateQueries({ queryKey: queueKeys.statsAll });
        const next = await take();
        if (next) {
          show(next.content);
          setNotice(`${input.action === "escalate" ? "Escalated" : input.action === "remove" ? "Removed" : "Approved"} ${state.content.external_id}.`);
        }
      } catch (error) {
        if (mounted.current) setActionError(error);
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [state, busy, take, show, queryClient],
  );

  const skip = useCallback(async () => {
    if (state.status !== "ready" || busy) return;
    setBusy(true);
    setActionError(null);
    const current = state.content;
    skipped.current = [...skipped.current, current.id];
    try {
      const next = await take();
      if (!next) return;
      if (!next.content || next.content.id === current.id) {
        setNotice("There is nothing else to review; this one stays with you.");
        return;
      }
      await releaseContent(current.id).catch(() => undefined);
      show(next.content);
      setNotice(`Skipped ${current.external_id}; it is back in the queue.`);
    } catch (error) {
      if (mounted.current) setActionError(error);
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, [state, busy, take, show]);

  return { state, busy, actionError, notice, decide, skip, retry };
}
