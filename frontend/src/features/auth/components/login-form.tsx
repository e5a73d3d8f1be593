import { type FormEvent, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useLogin } from "../api/login";
import type { User } from "../types";

export function LoginForm({ onSuccess }: { onSuccess: (user: User) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const loginMutation = useLogin();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    loginMutation.mutate({ username, password }, { onSuccess });
  }

  return (
    <form onSubmit={submit} className="stack" aria-labelledby="login-heading">
      <ErrorMessage error={loginMutation.error} />
      <Field label="Username" htmlFor="login-username">
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          autoFocus
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          data-testid="login-username"
        />
      </Field>
      <Field label="Password" htmlFor="login-password">
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          data-testid="login-password"
        />
      </Field>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={loginMutation.isPending}
        data-testid="login-submit"
      >
        {loginMutation.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
