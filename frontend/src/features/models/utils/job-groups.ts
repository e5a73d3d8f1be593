import type { TrainingJob } from "../types";

/** A job as shown in the list, with the waiting jobs just before it folded into it. */
export type JobGroup = {
  /** The newest job of the run: the one shown. */
  job: TrainingJob;
  /** How many jobs the row stands for (1 unless several waited for labels in a row). */
  count: number;
  /** The oldest job of the run (the shown job itself when count is 1). */
  oldest: TrainingJob;
};

/**
 * Fold each run of consecutive jobs that waited for labels into one entry. A new project starts a
 * job after every few labels and each waits until two classes have enough labels: seven identical
 * "Waiting for labels" rows say nothing the first one does not. Jobs come newest first.
 */
export function groupWaitingJobs(jobs: TrainingJob[]): JobGroup[] {
  const groups: JobGroup[] = [];
  for (const job of jobs) {
    const previous = groups.at(-1);
    if (job.status === "waiting" && previous?.job.status === "waiting" && previous.oldest.kind === job.kind) {
      previous.count += 1;
      previous.oldest = job;
    } else {
      groups.push({ job, count: 1, oldest: job });
    }
  }
  return groups;
}
