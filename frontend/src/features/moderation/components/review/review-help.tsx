import { Modal } from "@/components/ui/modal";

import type { DecisionAction } from "../../types";

/** The keys that choose an action, shown only where the queue tier offers that action. */
const ACTION_KEYS: [DecisionAction, string, string][] = [
  ["approve", "a", "Approve (allow the content)"],
  ["remove", "r", "Remove the content"],
  ["escalate", "e", "Escalate to the senior queue"],
];

const OTHER_KEYS: [string, string][] = [
  ["1–9", "Pick a reason code (numbered for the chosen action)"],
  ["Enter", "Send the decision and take the next content"],
  ["w", "Warn the author (adds a strike)"],
  ["s", "Suspend the author (adds a strike; set the days)"],
  ["c", "Write a note"],
  ["v", "Reveal the image (or blur it again)"],
  ["g", "Grayscale on or off"],
  ["n", "Skip: take the next content and give this one back"],
  ["?", "Open or close this help"],
  ["Esc", "Close a window, leave a text field, or clear the decision"],
  ["PageDown", "Scroll the content (PageUp and Space too, Shift+Space back up)"],
];

type ReviewHelpProps = {
  /** The actions this queue tier offers: a senior queue has no escalation, so no `e`. */
  actions: readonly DecisionAction[];
  onClose: () => void;
};

/** Every key of the review panel in this queue tier. */
export function ReviewHelp({ actions, onClose }: ReviewHelpProps) {
  const keys: [string, string][] = [
    ...ACTION_KEYS.filter(([action]) => actions.includes(action)).map(
      ([, key, meaning]): [string, string] => [key, meaning],
    ),
    ...OTHER_KEYS,
  ];
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="review-help">
      <dl className="mod-keys">
        {keys.map(([key, meaning]) => (
          <div key={key} style={{ display: "contents" }}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">Keys do nothing while you type in the note or the days field.</p>
    </Modal>
  );
}
