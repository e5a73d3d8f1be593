import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { TrainingSettings } from "../../types";
import { TrainingSettingsForm } from "../training-settings-form";

const INITIAL: TrainingSettings = {
  sampling_strategy: "adaptive",
  retrain_every: 50,
  min_labels_per_class: 5,
  embedder: "",
  few_shot_enabled: false,
  few_shot_budget_seconds: 180,
  auto_label_enabled: false,
  auto_label_target_precision: 0.95,
  audit_rate: 0.05,
  train_on_auto_labels: false,
};

async function replace(user: ReturnType<typeof userEvent.setup>, element: HTMLElement, text: string) {
  await user.clear(element);
  if (text) await user.type(element, text);
}

describe("TrainingSettingsForm", () => {
  it("sends the settings as numbers and booleans", async () => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    await user.selectOptions(screen.getByLabelText("Ask annotators about"), "entropy");
    await user.selectOptions(screen.getByLabelText("Embedder"), "hashing");
    await replace(user, screen.getByLabelText("Retrain after every"), "20");
    await user.click(screen.getByLabelText("Label confident items automatically"));
    await replace(user, screen.getByLabelText("Target precision"), "0.98");
    await replace(user, screen.getByLabelText("Audit rate"), "0.1");
    await user.click(screen.getByTestId("settings-save"));

    expect(onSave).toHaveBeenCalledWith({
      sampling_strategy: "entropy",
      retrain_every: 20,
      min_labels_per_class: 5,
      embedder: "hashing",
      few_shot_enabled: false,
      few_shot_budget_seconds: 180,
      auto_label_enabled: true,
      auto_label_target_precision: 0.98,
      audit_rate: 0.1,
      train_on_auto_labels: false,
    });
  });

  it("turns the few-shot model on with its time budget, for text projects only", async () => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    const { unmount } = render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    const toggle = screen.getByLabelText("Also fine-tune the text encoder on the labels");
    expect(toggle).not.toBeChecked();
    expect(toggle).toHaveAccessibleDescription(expect.stringContaining("keeps it only when its held-out ROC AUC beats"));
    await user.click(toggle);
    const budget = screen.getByLabelText("Fine-tuning time per run");
    await replace(user, budget, "10");
    await user.click(screen.getByTestId("settings-save"));
    expect(onSave).not.toHaveBeenCalled();
    expect(budget).toHaveAccessibleDescription(expect.stringContaining("Enter whole seconds from 30 to 1200."));

    await replace(user, budget, "300");
    await user.click(screen.getByTestId("settings-save"));
    expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ few_shot_enabled: true, few_shot_budget_seconds: 300 }));
    unmount();

    render(<TrainingSettingsForm initial={INITIAL} dataType="image" onSave={vi.fn()} />);
    expect(screen.queryByLabelText("Also fine-tune the text encoder on the labels")).not.toBeInTheDocument();
  });

  it("starts on adaptive and says how it chooses", () => {
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={vi.fn()} />);

    const select = screen.getByLabelText("Ask annotators about");
    expect(select).toHaveDisplayValue("Adaptive (chosen on the dev split)");
    expect(select).toHaveAccessibleDescription(expect.stringContaining("measures best on the dev split"));
    expect(screen.getByRole("option", { name: "Hybrid (uncertain and diverse)" })).toBeInTheDocument();
  });

  it.each([
    ["0.4", "Enter a precision from 0.5 to 0.999."],
    ["1", "Enter a precision from 0.5 to 0.999."],
    ["", "Enter a precision from 0.5 to 0.999."],
  ])("refuses a target precision of %j", async (value, message) => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    const input = screen.getByLabelText("Target precision");
    await replace(user, input, value);
    await user.click(screen.getByTestId("settings-save"));

    expect(onSave).not.toHaveBeenCalled();
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription(expect.stringContaining(message));
  });

  it.each(["-0.1", "0.6"])("refuses an audit rate of %s", async (value) => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    const input = screen.getByLabelText("Audit rate");
    await replace(user, input, value);
    await user.click(screen.getByTestId("settings-save"));

    expect(onSave).not.toHaveBeenCalled();
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription(expect.stringContaining("Enter a share from 0 to 0.5."));
  });

  it("accepts the edges of both ranges", async () => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    await replace(user, screen.getByLabelText("Target precision"), "0.5");
    await replace(user, screen.getByLabelText("Audit rate"), "0.5");
    await user.click(screen.getByTestId("settings-save"));
    expect(onSave).toHaveBeenLastCalledWith(expect.objectContaining({ auto_label_target_precision: 0.5, audit_rate: 0.5 }));

    await replace(user, screen.getByLabelText("Target precision"), "0.999");
    await replace(user, screen.getByLabelText("Audit rate"), "0");
    await user.click(screen.getByTestId("settings-save"));
    expect(onSave).toHaveBeenLastCalledWith(expect.objectContaining({ auto_label_target_precision: 0.999, audit_rate: 0 }));
  });

  it("clears an error once the value is fixed, and shows the server's refusal", async () => {
    const onSave = vi.fn();
    const user = userEvent.setup();
    const { rerender } = render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} />);

    await replace(user, screen.getByLabelText("Retrain after every"), "2.5");
    await user.click(screen.getByTestId("settings-save"));
    expect(screen.getByLabelText("Retrain after every")).toHaveAttribute("aria-invalid", "true");

    await replace(user, screen.getByLabelText("Retrain after every"), "3");
    await user.click(screen.getByTestId("settings-save"));
    expect(screen.getByLabelText("Retrain after every")).not.toHaveAttribute("aria-invalid");
    expect(onSave).toHaveBeenCalledTimes(1);

    rerender(
      <TrainingSettingsForm initial={INITIAL} dataType="text" onSave={onSave} error={new Error("Only admins may.")} />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The settings were not saved: Only admins may.");
  });

  it("shows the settings without a save button to someone who may not change them", () => {
    render(<TrainingSettingsForm initial={INITIAL} dataType="text" onSave={vi.fn()} readOnly />);

    expect(screen.getByLabelText("Target precision")).toBeDisabled();
    expect(screen.queryByTestId("settings-save")).not.toBeInTheDocument();
  });
});
