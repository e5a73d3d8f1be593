import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";

import { flagItem } from "../api/flag-item";
import { getAnnotationHistory } from "../api/get-annotation-history";
import { getItemContent } from "../api/get-item-content";
import { getNextAssignment } from "../api/get-next-assignment";
import { getOpenAssignments } from "../api/get-open-assignments";
import { queueStatsQueryKey } from "../api/get-queue-stats";
import { releaseLease, releasedRecently } from "../api/release-lease";
import { renewLease } from "../api/renew-lease";
import { AnnotateSession, type SessionApi } from "../utils/annotate-session";
import type { Outbox, OutboxSnapshot } from "../utils/outbox";
import { outboxFor } from "../utils/outbox-registry";

/** The progress strip is refreshed after saves, but at most this often. */
const STATS_REFRESH_MS = 3_000;

function sessionApi(projectId: number): SessionApi {
  return {
    next: () => getNextAssignment({ projectId }),
    openAssignments: () => getOpenAssignments({ projectId }),
    renew: (itemId) => renewLease({ projectId, itemId }),
    release: (itemId) => releaseLease({ projectId, itemId }),
    releasedRecently,
    history: () => getAnnotationHistory({ projectId }),
    item: (itemId) => getItemContent({ projectId, itemId }),
    flag: (itemId, reason) => flagItem({ projectId, itemId, reason }),
  };
}

/** Refresh the progress strip after saves: at most every few seconds, and after the last one. */
function statsRefresher(queryClient: QueryClient, projectId: number): () => void {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const refresh = () => {
    timer = null;
    last = Date.now();
    void queryClient.invalidateQueries({ queryKey: queueStatsQueryKey(projectId) });
  };
  return () => {
    const wait = last + STATS_REFRESH_MS - Date.now();
    if (wait <= 0) refresh();
    else timer ??= setTimeout(refresh, wait);
  };
}

type UseAnnotateSessionArgs = {
  projectId: number;
  /** Whose answers these are: keeps each user's unsent answers apart in storage. */
  userKey: string;
  multilabel: boolean;
};

/**
 * The workspace's session and outbox for one project, started while the page is open.
 * Leaving the page (in the app, or closing the tab) gives unanswered items back to the queue.
 */
export function useAnnotateSession({ projectId, userKey, multilabel }: UseAnnotateSessionArgs) {
  const queryClient = useQueryClient();
  const [outbox] = useState<Outbox>(() => outboxFor({ projectId, userKey }));
  const [session] = useState(
    () =>
      new AnnotateSession({
        api: sessionApi(projectId),
        outbox,
        multilabel,
        onSaved: statsRefresher(queryClient, projectId),
      }),
  );

  useEffect(() => {
    void session.start();
    const leave = () => session.stop();
    const back = (event: PageTransitionEvent) => {
      // Restored from the back/forward cache: the leases were given back when the page was left.
      if (event.persisted) void session.start();
    };
    window.addEventListener("pagehide", leave);
    window.addEventListener("pageshow", back);
    return () => {
      window.removeEventListener("pagehide", leave);
      window.removeEventListener("pageshow", back);
      session.stop();
    };
  }, [session]);

  const state = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const outboxState: OutboxSnapshot = useSyncExternalStore(outbox.subscribe, outbox.getSnapshot);
  return { session, state, outbox, outboxState };
}
