import { Fragment } from "react";

import { Modal } from "@/components/ui/modal";

import type { LabelKey } from "../utils/keymap";
import { isolate } from "@/lib/bidi";

type HelpOverlayProps = {
  labelKeys: readonly LabelKey[];
  multilabel: boolean;
  onClose: () => void;
};

function keyName(key: string): string {
  return key === " " ? "space" : key;
}

/** Every key of the workspace, including which key picks which label. */
export function HelpOverlay({ labelKeys, multilabel, onClose }: HelpOverlayProps) {
  const shadowed = labelKeys.filter((labelKey) => labelKey.shadowedHotkey);
  return (
    // Esc is one of the workspace's keys (it closes whichever window is open), not the modal's.
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="help-overlay" closeOnEscape={false}>
      <dl className="help-keys">
        <dt>
          <kbd>a</kbd>
        </dt>
        <dd>Accept the model's proposal</dd>
        <dt>
          <kbd>x</kbd>
        </dt>
        <dd>Reject the proposal, then pick the right label</dd>
        <dt>
          <kbd>1</kbd>–<kbd>9</kbd>
        </dt>
        <dd>
          {multilabel
            ? "Turn a label on or off; Enter sends the labels that are on"
            : "Pick a label (sent at once)"}
        </dd>
        {multilabel ? (
          <>
            <dt>
              <kbd>Enter</kbd>
            </dt>
            <dd>Send the labels that are on</dd>
          </>
        ) : null}
        <dt>
          <kbd>space</kbd>
        </dt>
        <dd>Skip this item</dd>
        <dt>
          <kbd>Shift</kbd>+<kbd>space</kbd>
        </dt>
        <dd>Skip this item and say why (unsure, not readable, not in the guidelines, other)</dd>
        <dt>
          <kbd>z</kbd> or <kbd>Backspace</kbd>
        </dt>
        <dd>Undo: reopen your last label to change it (press again to go further back)</dd>
        <dt>
          <kbd>f</kbd>
        </dt>
        <dd>Flag the item as unclear, for a reviewer (say why, then Enter)</dd>
        <dt>
          <kbd>v</kbd>
        </dt>
        <dd>Zoom an image to its full size and back (reveal a blurred image, or blur it again)</dd>
        <dt>
          <kbd>n</kbd>
        </dt>
        <dd>Show or hide the items most similar to this one, with their labels</dd>
        <dt>
          <kbd>g</kbd>
        </dt>
        <dd>Open or close the guidelines</dd>
        <dt>
          <kbd>?</kbd>
        </dt>
        <dd>Open or close this help</dd>
        <dt>
          <kbd>Esc</kbd>
        </dt>
        <dd>Close a window, cancel a rejection or go back from an earlier label</dd>
        <dt>
          <kbd>PageDown</kbd> <kbd>PageUp</kbd>
        </dt>
        <dd>Scroll a long item in its box</dd>
      </dl>
      <h3>Labels</h3>
      <dl className="help-keys" data-testid="help-label-keys">
        {labelKeys.map((labelKey) => (
          <Fragment key={labelKey.name}>
            <dt>{labelKey.key ? <kbd>{keyName(labelKey.key)}</kbd> : "—"}</dt>
            <dd>{labelKey.name}</dd>
          </Fragment>
        ))}
      </dl>
      {shadowed.length > 0 ? (
        <p className="hint">
          {shadowed.map((labelKey) => `${isolate(labelKey.name)}'s hotkey "${labelKey.shadowedHotkey}"`).join(", ")}{" "}
          {shadowed.length === 1 ? "is" : "are"} taken by a workspace command here; use the key shown above instead.
        </p>
      ) : null}
    </Modal>
  );
}
