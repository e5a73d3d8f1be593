import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useCreateUser } from "../api/create-user";

export function CreateUserForm() {
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [isStaff, setIsStaff] = useState(false);
  const create = useCreateUser();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(
      {
        username: username.trim(),
        // Blank fields are left out: the API refuses an empty email, and no password means
        // "send an invitation".
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(password ? { password } : {}),
        is_staff: isStaff,
      },
      {
        onSuccess: () => {
          setUsername("");
          setEmail("");
          setPassword("");
          setIsStaff(false);
        },
      },
    );
  }

  const created = create.data;
  const invitationLink = created?.invitation_path
    ? new URL(created.invitation_path, window.location.origin).toString()
    : null;

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Add a user</h2>
      <div className="row">
        <Field label="Username" htmlFor="user-username">
          <input
            id="user-username"
            required
            autoComplete="off"
            pattern="[\w.@+\-]{1,150}"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            data-testid="user-username"
          />
        </Field>
        <Field label="Email (optional)" htmlFor="user-email">
          <input
            id="user-email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </Field>
        <Field
          label="Password (optional)"
          htmlFor="user-password"
          hint="Leave empty to get an invitation link instead."
          hintId="user-password-hint"
        >
          <input
            id="user-password"
            type="password"
            autoComplete="new-password"
            aria-describedby="user-password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
      </div>
      <div className="field field-checkbox">
        <input
          id="user-is-staff"
          type="checkbox"
          checked={isStaff}
          onChange={(event) => setIsStaff(event.target.checked)}
        />
        <label htmlFor="user-is-staff">Site admin (may create projects and users)</label>
      </div>
      <ErrorMessage error={create.error} title="Could not add the user" />
      {created ? (
        <div role="status" className="alert alert-success" data-testid="user-created">
          Added <bdi>{created.username}</bdi>.
          {invitationLink ? (
            <div className="field">
              <label htmlFor="invitation-link">Invitation link (send it to them; it works once)</label>
              <input
                id="invitation-link"
                readOnly
                value={invitationLink}
                onFocus={(event) => event.target.select()}
                data-testid="invitation-link"
              />
            </div>
          ) : null}
        </div>
      ) : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Add user
        </button>
      </div>
    </form>
  );
}
