import { useEffect, useRef } from "react";

import { isJobFinished, type TrainingJob } from "../types";

/**
 * Call `onFinished` once for each job that finishes while the page is open.
 *
 * Jobs already finished in the first list seen are not reported: nothing they changed is newer
 * than what the page loaded. A job that shows up already finished later (a fast run that ended
 * between two polls, or one started elsewhere) is reported like one seen running.
 */
export function useJobFinished(jobs: TrainingJob[] | undefined, onFinished: (job: TrainingJob) => void) {
  const reported = useRef<Set<number> | null>(null);
  const callback = useRef(onFinished);

  useEffect(() => {
    callback.current = onFinished;
  }, [onFinished]);

  useEffect(() => {
    if (!jobs) return;
    const finished = jobs.filter((job) => isJobFinished(job.status));
    if (reported.current === null) {
      reported.current = new Set(finished.map((job) => job.id));
      return;
    }
    for (const job of finished) {
      if (reported.current.has(job.id)) continue;
      reported.current.add(job.id);
      callback.current(job);
    }
  }, [jobs]);
}
