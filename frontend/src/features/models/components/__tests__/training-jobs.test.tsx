import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { page, trainingJob } from "../../testing/fixtures";
import { TrainingJobs } from "../training-jobs";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("TrainingJobs", () => {
  it("polls while the job runs, moving the progress bar, and stops once it has succeeded", async () => {
    const states = [
      trainingJob({ status: "running", step: "embedding", progress: 0.4, message: "Embedded 400 of 1,000 items." }),
      trainingJob({ status: "succeeded", step: "done", progress: 1, model_version: 3, finished_at: "2024-05-01T10:01:00Z" }),
    ];
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse(page([states.length > 1 ? states.shift() : states[0]])));
    const onJobFinished = vi.fn();

    renderWithProviders(<TrainingJobs projectId={1} onJobFinished={onJobFinished} />);

    expect(await screen.findByTestId("training-job-status")).toHaveAttribute("data-status", "running");
    expect(screen.getByTestId("training-job-progress")).toHaveAttribute("value", "0.4");
    expect(screen.getByTestId("training-job")).toHaveTextContent("embedding");
    expect(screen.getByTestId("training-job-message")).toHaveTextContent("Embedded 400 of 1,000 items.");

    await waitFor(() => expect(screen.getByTestId("training-job-status")).toHaveAttribute("data-status", "succeeded"), {
      timeout: 3000,
    });
    expect(screen.getByTestId("training-job-progress")).toHaveAttribute("value", "1");
    expect(onJobFinished).toHaveBeenCalledTimes(1);

    const callsWhenDone = fetchMock.mock.calls.length;
    await sleep(2200);
    expect(fetchMock.mock.calls.length).toBe(callsWhenDone);
    expect(fetchMock.mock.calls.every(([url]) => String(url) === "/api/v1/projects/1/training-jobs/?page=1")).toBe(true);
    expect(onJobFinished).toHaveBeenCalledTimes(1);
  });

  it("does not poll a job that waits for labels, and says why it waits", async () => {
    const fetchMock = vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(
        page([trainingJob({ status: "waiting", message: "spam has 2 labels; 5 per class are needed." })]),
      ),
    );

    renderWithProviders(<TrainingJobs projectId={1} />);

    expect(await screen.findByTestId("training-job-waiting")).toHaveTextContent(
      "spam has 2 labels; 5 per class are needed.",
    );
    await sleep(1300);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("shows why a job failed", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(page([trainingJob({ status: "failed", error: "The embedder minilm is not installed." })])),
    );

    renderWithProviders(<TrainingJobs projectId={1} />);

    expect(await screen.findByRole("alert")).toHaveTextContent("Training failed: The embedder minilm is not installed.");
    expect(screen.queryByTestId("training-job-progress")).not.toBeInTheDocument();
  });
});

describe("TrainingJobs refreshing", () => {
  it("reports a job that appears already finished, but not the ones finished before the page opened", async () => {
    const lists = [
      page([trainingJob({ id: 7, status: "succeeded" })]),
      page([trainingJob({ id: 8, status: "succeeded" }), trainingJob({ id: 7, status: "succeeded" })]),
    ];
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(lists.length > 1 ? lists.shift() : lists[0]),
    );
    const onJobFinished = vi.fn();

    const { queryClient } = renderWithProviders(<TrainingJobs projectId={1} onJobFinished={onJobFinished} />);
    await screen.findByTestId("training-job-status");
    expect(onJobFinished).not.toHaveBeenCalled();

    // What "Train now" does when the server answers with a job that has already finished.
    await queryClient.invalidateQueries({ queryKey: ["projects", 1, "training-jobs"] });

    await waitFor(() => expect(onJobFinished).toHaveBeenCalledTimes(1));
    expect(onJobFinished).toHaveBeenCalledWith(expect.objectContaining({ id: 8 }));
  });
});
