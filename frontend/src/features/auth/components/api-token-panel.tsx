import { ErrorMessage } from "@/components/ui/error-message";

import { useCreateApiToken } from "../api/create-api-token";
import { useRevokeApiToken } from "../api/revoke-api-token";

export function ApiTokenPanel() {
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const token = revoke.isSuccess ? undefined : create.data?.token;

  return (
    <section className="stack" aria-labelledby="api-token-heading">
      <h2 id="api-token-heading">API token</h2>
      <p>
        Scripts authenticate with <code>Authorization: Token &lt;key&gt;</code>. Creating a token
        replaces the one you had; it is shown only once.
      </p>
      <ErrorMessage error={create.error ?? revoke.error} />
      {token ? (
        <div className="field">
          <label htmlFor="api-token-value">Your new token</label>
          <input id="api-token-value" readOnly value={token} onFocus={(e) => e.target.select()} />
        </div>
      ) : null}
      {revoke.isSuccess ? <p role="status">Your token was revoked.</p> : null}
      <div className="row">
        <button
          type="button"
          className="btn btn-primary"
          disabled={create.isPending}
          onClick={() => {
            revoke.reset();
            create.mutate();
          }}
        >
          Create a new token
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={revoke.isPending}
          onClick={() => {
            create.reset();
            revoke.mutate();
          }}
        >
          Revoke token
        </button>
      </div>
    </section>
  );
}
