import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Modal } from "@/components/ui/modal";
import { formatCount } from "@/lib/format";

import { useTextBanks } from "../../api/rules";
import type { BulkActionInput, BulkActionKind, Policy } from "../../types";

export const BULK_LABELS: Record<BulkActionKind, string> = {
  remove: "Remove",
  approve: "Approve",
  requeue: "Send back to the queue",
  hash_bank: "Add to a hash bank",
  text_bank: "Add to a text bank",
};

const DONE_WORDS: Record<BulkActionKind, string> = {
  remove: "removed",
  approve: "approved",
  requeue: "sent back to the queue",
  hash_bank: "added to the hash bank",
  text_bank: "added to the text bank",
};

export function doneWord(kind: BulkActionKind): string {
  return DONE_WORDS[kind];
}

type Target = Omit<BulkActionInput, "kind" | "reason_code" | "note" | "hash_category" | "text_bank">;

type BulkActionDialogProps = {
  kind: BulkActionKind;
  count: number;
  policies: Policy[];
  /** What is acted on: the selection's ids or the search's filters, with the count shown. */
  target: Target;
  pending: boolean;
  error: unknown;
  onConfirm: (body: BulkActionInput) => void;
  onCancel: () => void;
};

function TextBankOptions({ policy }: { policy: Policy }) {
  const banks = useTextBanks(policy.id);
  return (
    <>
      {(banks.data?.results ?? []).map((bank) => (
        <option key={bank.id} value={bank.id}>
          {policy.name}: {bank.name}
        </option>
      ))}
    </>
  );
}

/** Says exactly what will happen to how many contents, asks for what the action needs, and only
 * then sends it (with the count shown, which the server checks again). */
export function BulkActionDialog({ kind, count, policies, target, pending, error, onConfirm, onCancel }: BulkActionDialogProps) {
  const action = kind === "remove" ? "remove" : kind === "approve" ? "approve" : null;
  const codes = action
    ? [...new Set(policies.flatMap((policy) => policy.reason_codes.filter((code) => (code.action ?? "remove") === action).map((code) => code.code)))]
    : [];
  const [reasonCode, setReasonCode] = useState(codes[0] ?? "");
  const [note, setNote] = useState("");
  const [hashCategory, setHashCategory] = useState("");
  const [textBank, setTextBank] = useState("");
  const ready =
    !pending &&
    (action ? reasonCode !== "" : kind === "hash_bank" ? hashCategory !== "" : kind === "text_bank" ? textBank !== "" : true);

  function confirm() {
    onConfirm({
      ...target,
      kind,
      reason_code: action ? reasonCode : "",
      note,
      hash_category: kind === "hash_bank" ? Number(hashCategory) : null,
      text_bank: kind === "text_bank" ? Number(textBank) : null,
    });
  }

  return (
    <Modal title={`${BULK_LABELS[kind]}: ${formatCount(count)} contents`} onClose={onCancel} testId="bulk-dialog">
      <div className="stack">
        <p data-testid="bulk-dialog-count">
          This acts on <strong>{formatCount(count)}</strong> content{count === 1 ? "" : "s"}, each on its own: one that cannot be{" "}
          {DONE_WORDS[kind]} is left as it was and counted. Decisions are sent to the platforms and recorded in the audit log.
        </p>
        {action ? (
          <div className="field">
            <label htmlFor="bulk-reason">Reason code (defined in every policy covered)</label>
            <select id="bulk-reason" value={reasonCode} onChange={(event) => setReasonCode(event.target.value)} data-testid="bulk-reason">
              {codes.length === 0 ? <option value="">No reason code for this action</option> : null}
              {codes.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {kind === "hash_bank" ? (
          <div className="field">
            <label htmlFor="bulk-hash-category">Hash bank of</label>
            <select id="bulk-hash-category" value={hashCategory} onChange={(event) => setHashCategory(event.target.value)}>
              <option value="">Pick a category</option>
              {policies.flatMap((policy) =>
                policy.categories.map((category) => (
                  <option key={`${policy.id}-${category.id}`} value={category.id}>
                    {policy.name}: {category.name}
                  </option>
                )),
              )}
            </select>
          </div>
        ) : null}
        {kind === "text_bank" ? (
          <div className="field">
            <label htmlFor="bulk-text-bank">Text bank</label>
            <select id="bulk-text-bank" value={textBank} onChange={(event) => setTextBank(event.target.value)}>
              <option value="">Pick a bank</option>
              {policies.map((policy) => (
                <TextBankOptions key={policy.id} policy={policy} />
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="bulk-note">Note (kept with each decision)</label>
          <input id="bulk-note" value={note} maxLength={2000} onChange={(event) => setNote(event.target.value)} />
        </div>
        <ErrorMessage error={error} title="Nothing was done" />
        <div className="button-group">
          <button
            type="button"
            className={kind === "remove" ? "btn btn-danger" : "btn btn-primary"}
            disabled={!ready}
            onClick={confirm}
            data-testid="bulk-confirm"
          >
            {BULK_LABELS[kind]} {formatCount(count)} contents
          </button>
          <button type="button" className="btn" onClick={onCancel} data-testid="bulk-cancel">
            Cancel
          </button>
        </div>
      </div>
    </Modal>
  );
}
