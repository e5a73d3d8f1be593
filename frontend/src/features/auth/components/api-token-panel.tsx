import { ErrorMessage } from "@/components/ui/error-message";
import { formatDateTime } from "@/lib/format";

import { useCreateApiToken } from "../api/create-api-token";
import { useApiToken } from "../api/get-api-token";
import { useRevokeApiToken } from "../api/revoke-api-token";

export function ApiTokenPanel() {
  const current = useApiToken();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const newKey = revoke.isSuccess ? undefined : create.data?.token;
  const token = current.data;

  return (
    <section className="stack" aria-labelledby="api-token-heading">
      <h2 id="api-token-heading">API token</h2>
      <p>
        Scripts authenticate with <code>Authorization: Token &lt;key&gt;</code>. Creating a token
        replaces the one you had. Tandem keeps only a hash of it, so the key is shown once.
      </p>
      <ErrorMessage error={current.error ?? create.error ?? revoke.error} />
      {token ? (
        <dl className="facts" data-testid="api-token-current">
          <div>
            <dt>Token</dt>
            <dd>
              <code data-testid="api-token-prefix">{token.prefix}…</code>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(token.created_at)}</dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd data-testid="api-token-last-used">{token.last_used_at ? formatDateTime(token.last_used_at) : "never"}</dd>
          </div>
        </dl>
      ) : current.isSuccess ? (
        <p data-testid="api-token-none">You have no API token.</p>
      ) : null}
      {newKey ? (
        <div className="stack" data-testid="api-token-new-box">
          <div className="field">
            <label htmlFor="api-token-value">Your new token</label>
            <input
              id="api-token-value"
              readOnly
              value={newKey}
              onFocus={(e) => e.target.select()}
              data-testid="api-token-new"
            />
          </div>
          <p className="alert alert-warning">Copy it now: you will not see it again.</p>
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
          data-testid="api-token-create"
        >
          Create a new token
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={revoke.isPending || !token}
          onClick={() => {
            create.reset();
            revoke.mutate();
          }}
          data-testid="api-token-revoke"
        >
          Revoke token
        </button>
      </div>
    </section>
  );
}
