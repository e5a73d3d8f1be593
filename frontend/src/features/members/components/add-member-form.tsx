import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useAddMember } from "../api/add-member";
import { ROLES, type Role } from "../types";

export function AddMemberForm({ projectId }: { projectId: number }) {
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("annotator");
  const add = useAddMember();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ projectId, username: username.trim(), role }, { onSuccess: () => setUsername("") });
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="add-member-heading">
      <h2 id="add-member-heading">Add a member</h2>
      <div className="row">
        <Field label="Username" htmlFor="member-username">
          <input
            id="member-username"
            required
            autoComplete="off"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            data-testid="member-username"
          />
        </Field>
        <Field label="Role" htmlFor="member-role">
          <select
            id="member-role"
            value={role}
            onChange={(event) => setRole(event.target.value as Role)}
            data-testid="member-role"
          >
            {ROLES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorMessage error={add.error} title="Could not add the member" />
      {add.isSuccess ? <p role="status">Added <bdi>{add.data.username}</bdi>.</p> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={add.isPending} data-testid="member-add-submit">
          Add member
        </button>
      </div>
    </form>
  );
}
