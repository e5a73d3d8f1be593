import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useAcceptInvitation } from "../api/accept-invitation";
import type { User } from "../types";

type AcceptInviteFormProps = {
  uid: string;
  token: string;
  onAccepted: (user: User) => void;
};

export function AcceptInviteForm({ uid, token, onAccepted }: AcceptInviteFormProps) {
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const accept = useAcceptInvitation();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password !== confirmation) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    accept.mutate({ uid, token, password }, { onSuccess: onAccepted });
  }

  return (
    <form onSubmit={submit} className="stack">
      <ErrorMessage error={accept.error} />
      {mismatch ? (
        <div role="alert" className="alert alert-error">
          The two passwords differ.
        </div>
      ) : null}
      <Field label="New password" htmlFor="invite-password">
        <input
          id="invite-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          data-testid="invite-password"
        />
      </Field>
      <Field label="Repeat the password" htmlFor="invite-password-confirmation">
        <input
          id="invite-password-confirmation"
          type="password"
          autoComplete="new-password"
          required
          value={confirmation}
          onChange={(event) => setConfirmation(event.target.value)}
          data-testid="invite-password-confirmation"
        />
      </Field>
      <button type="submit" className="btn btn-primary" disabled={accept.isPending} data-testid="invite-submit">
        {accept.isPending ? "Saving…" : "Set password"}
      </button>
    </form>
  );
}
