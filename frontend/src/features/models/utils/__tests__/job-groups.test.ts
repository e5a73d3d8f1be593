import { describe, expect, it } from "vitest";

import { trainingJob } from "../../testing/fixtures";
import { groupWaitingJobs } from "../job-groups";

describe("groupWaitingJobs", () => {
  it("folds each run of waiting jobs into its newest one and keeps every other job", () => {
    const jobs = [
      trainingJob({ id: 9, status: "waiting" }),
      trainingJob({ id: 8, status: "waiting" }),
      trainingJob({ id: 7, status: "waiting" }),
      trainingJob({ id: 6, status: "succeeded" }),
      trainingJob({ id: 5, status: "waiting" }),
      trainingJob({ id: 4, status: "failed" }),
      trainingJob({ id: 3, status: "waiting" }),
      trainingJob({ id: 2, status: "waiting" }),
    ];

    const groups = groupWaitingJobs(jobs).map((group) => [group.job.id, group.count, group.oldest.id]);

    expect(groups).toEqual([
      [9, 3, 7],
      [6, 1, 6],
      [5, 1, 5],
      [4, 1, 4],
      [3, 2, 2],
    ]);
  });

  it("does not fold a waiting embedding job into waiting training jobs", () => {
    const jobs = [
      trainingJob({ id: 2, status: "waiting", kind: "train" }),
      trainingJob({ id: 1, status: "waiting", kind: "embed" }),
    ];

    expect(groupWaitingJobs(jobs).map((group) => group.count)).toEqual([1, 1]);
  });
});
