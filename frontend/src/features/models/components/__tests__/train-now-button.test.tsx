import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { trainingJob } from "../../testing/fixtures";
import { TrainNowButton } from "../train-now-button";

describe("TrainNowButton", () => {
  it("queues a job", async () => {
    document.cookie = "csrftoken=tok";
    const fetchMock = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => jsonResponse(trainingJob(), { status: 202 }));
    const user = userEvent.setup();
    renderWithProviders(<TrainNowButton projectId={4} />);

    await user.click(screen.getByTestId("train-now"));

    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(url)).toBe("/api/v1/projects/4/training-jobs/");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ kind: "train" });
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says when the request joined a job that is already running", async () => {
    document.cookie = "csrftoken=tok";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse(trainingJob({ status: "running", rerun_requested: true }), { status: 202 }),
    );
    const user = userEvent.setup();
    renderWithProviders(<TrainNowButton projectId={4} />);

    await user.click(screen.getByTestId("train-now"));

    expect(await screen.findByTestId("train-now-rerun")).toHaveTextContent("it will run once more when it ends");
  });

  it("shows the server's refusal", async () => {
    document.cookie = "csrftoken=tok";
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      jsonResponse({ message: "Label at least 5 items of two classes first.", extra: {} }, { status: 400 }),
    );
    const user = userEvent.setup();
    renderWithProviders(<TrainNowButton projectId={4} />);

    await user.click(screen.getByTestId("train-now"));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not start training: Label at least 5 items of two classes first.",
    );
  });
});
