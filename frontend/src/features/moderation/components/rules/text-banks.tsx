import { useState } from "react";

import { Field } from "@/components/ui/field";
import { errorMessage } from "@/lib/api-client";

import { useCreateTextBank } from "../../api/rules";
import type { TextBank } from "../../types";

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The policy's text banks, and a form to add one (terms one per line, RE2 patterns one per line). */
export function TextBanks({ policyId, banks, canEdit }: { policyId: number; banks: TextBank[]; canEdit: boolean }) {
  const create = useCreateTextBank(policyId);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [terms, setTerms] = useState("");
  const [patterns, setPatterns] = useState("");
  return (
    <section className="stack" aria-labelledby="text-banks-heading" data-testid="text-banks">
      <h3 id="text-banks-heading">Text banks</h3>
      {banks.length === 0 ? (
        <p className="hint" data-testid="text-banks-empty">
          No text bank yet. A bank is a list of terms (matched as whole words, however they are disguised:
          <code> fr33</code>, <code>f r e e</code>, look-alike letters) and RE2 patterns that rules can read.
        </p>
      ) : (
        <ul className="plain-list">
          {banks.map((bank) => (
            <li key={bank.id} data-testid="text-bank">
              <strong>{bank.name}</strong>{" "}
              <span className="hint">
                {bank.terms.length} terms, {bank.patterns.length} patterns
              </span>
            </li>
          ))}
        </ul>
      )}
      {canEdit && !open ? (
        <div>
          <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="add-text-bank">
            Add a text bank
          </button>
        </div>
      ) : null}
      {canEdit && open ? (
        <form
          className="stack"
          data-testid="text-bank-form"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate(
              { name, terms: lines(terms), patterns: lines(patterns) },
              {
                onSuccess: () => {
                  setOpen(false);
                  setName("");
                  setTerms("");
                  setPatterns("");
                },
              },
            );
          }}
        >
          <Field label="Name" htmlFor="bank-name">
            <input id="bank-name" value={name} required maxLength={100} onChange={(event) => setName(event.target.value)} />
          </Field>
          <Field label="Terms, one per line" htmlFor="bank-terms">
            <textarea id="bank-terms" rows={4} value={terms} onChange={(event) => setTerms(event.target.value)} />
          </Field>
          <Field label="RE2 patterns, one per line (optional)" htmlFor="bank-patterns">
            <textarea id="bank-patterns" rows={2} value={patterns} onChange={(event) => setPatterns(event.target.value)} />
          </Field>
          {create.isError ? (
            <p role="alert" className="alert alert-error">
              The bank was not saved: {errorMessage(create.error)}
            </p>
          ) : null}
          <div className="button-group">
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              Save bank
            </button>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
