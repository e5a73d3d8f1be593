import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { useApiKeys, useCreateApiKey, useRevokeApiKey } from "../api/api-keys";
import { API_KEY_SCOPES, type ApiKey, type ApiKeyCreated, type ApiKeyScope } from "../types";
import { SecretOnce } from "./secret-once";
import "./platforms.css";

function CreateKeyForm({ platformId, onCreated }: { platformId: number; onCreated: (key: ApiKeyCreated) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["intake"]);
  const create = useCreateApiKey();

  function toggle(scope: ApiKeyScope, on: boolean) {
    setScopes((current) =>
      on ? API_KEY_SCOPES.map((s) => s.value).filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope),
    );
  }

  return (
    <form
      className="stack"
      aria-label="New API key"
      onSubmit={(event) => {
        event.preventDefault();
        if (scopes.length === 0) return;
        create.mutate(
          { platformId, name: name.trim(), scopes },
          {
            onSuccess: (key) => {
              setName("");
              onCreated(key);
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor="api-key-name">Name (optional)</label>
        <input
          id="api-key-name"
          value={name}
          maxLength={100}
          placeholder="production servers"
          onChange={(event) => setName(event.target.value)}
          data-testid="api-key-name"
        />
      </div>
      <fieldset className="scope-options">
        <legend>Scopes</legend>
        {API_KEY_SCOPES.map((scope) => (
          <div className="field field-checkbox" key={scope.value}>
            <input
              type="checkbox"
              id={`api-key-scope-${scope.value}`}
              checked={scopes.includes(scope.value)}
              onChange={(event) => toggle(scope.value, event.target.checked)}
              data-testid={`api-key-scope-${scope.value}`}
            />
            <label htmlFor={`api-key-scope-${scope.value}`}>
              {scope.label} <span className="hint">({scope.hint})</span>
            </label>
          </div>
        ))}
      </fieldset>
      {scopes.length === 0 ? (
        <p className="field-error" data-testid="api-key-scope-needed">
          Choose at least one scope.
        </p>
      ) : null}
      <ErrorMessage error={create.error} title="Could not create the key" />
      <div className="button-group">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending || scopes.length === 0}
          data-testid="api-key-create"
        >
          Create key
        </button>
      </div>
    </form>
  );
}

function KeyRow({ apiKey, platformId }: { apiKey: ApiKey; platformId: number }) {
  const [confirming, setConfirming] = useState(false);
  const revoke = useRevokeApiKey();
  const revoked = apiKey.revoked_at !== null;
  return (
    <tr data-testid="api-key-row" data-prefix={apiKey.prefix}>
      <td>
        <code data-testid="api-key-prefix">{apiKey.prefix}…</code>
        {apiKey.name ? <div>{apiKey.name}</div> : null}
      </td>
      <td data-testid="api-key-scopes">{apiKey.scopes.join(", ")}</td>
      <td>{formatDateTime(apiKey.created_at)}</td>
      <td>{apiKey.last_used_at ? formatDateTime(apiKey.last_used_at) : <span className="hint">never</span>}</td>
      <td>
        {revoked ? (
          <span className="badge badge-revoked" data-testid="api-key-status">
            revoked {formatDateTime(apiKey.revoked_at)}
          </span>
        ) : (
          <span className="badge badge-active" data-testid="api-key-status">
            active
          </span>
        )}
      </td>
      <td>
        {revoked ? null : confirming ? (
          <div role="group" aria-label={`Revoke ${apiKey.prefix}`} className="stack" data-testid="api-key-confirm">
            <span>Revoke this key? Requests with it get 401 from now on. This cannot be undone.</span>
            <div className="button-group">
              <button
                type="button"
                className="btn btn-danger btn-small"
                disabled={revoke.isPending}
                onClick={() => revoke.mutate({ platformId, keyId: apiKey.id }, { onSuccess: () => setConfirming(false) })}
                data-testid="api-key-revoke-yes"
              >
                Revoke
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  revoke.reset();
                  setConfirming(false);
                }}
                data-testid="api-key-revoke-no"
              >
                Cancel
              </button>
            </div>
            <ErrorMessage error={revoke.error} title="Could not revoke the key" />
          </div>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setConfirming(true)}
            data-testid="api-key-revoke"
          >
            Revoke…
          </button>
        )}
      </td>
    </tr>
  );
}

/** A platform's API keys: create one (shown whole once), list them by prefix, revoke. */
export function ApiKeysPanel({ platformId }: { platformId: number }) {
  const keys = useApiKeys(platformId);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);

  return (
    <section className="stack" aria-labelledby="api-keys-heading">
      <h2 id="api-keys-heading">API keys</h2>
      <p className="hint">
        The platform sends <code>Authorization: Bearer &lt;key&gt;</code>. Each key carries scopes; a
        revoked key stops working at once.
      </p>
      {created ? (
        <SecretOnce
          label={`New key ${created.prefix}… (${created.scopes.join(", ")})`}
          value={created.key}
          testId="api-key-new"
          onDismiss={() => setCreated(null)}
        />
      ) : null}
      {keys.isPending ? <Loading label="Loading the keys…" /> : null}
      <ErrorMessage error={keys.error} title="Could not load the keys" />
      {keys.data && keys.data.results.length === 0 ? (
        <p className="hint" data-testid="api-keys-empty">
          No keys yet.
        </p>
      ) : null}
      {keys.data && keys.data.results.length > 0 ? (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="api-key-list">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.results.map((apiKey) => (
                <KeyRow key={apiKey.id} apiKey={apiKey} platformId={platformId} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <CreateKeyForm platformId={platformId} onCreated={setCreated} />
    </section>
  );
}
