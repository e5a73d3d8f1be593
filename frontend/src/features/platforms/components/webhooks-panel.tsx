import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { useCreateWebhook, useWebhooks } from "../api/webhooks";
import type { WebhookEndpoint, WebhookEndpointCreated } from "../types";
import { DeliveryLog } from "./delivery-log";
import { SecretOnce } from "./secret-once";
import "./platforms.css";

function AddWebhookForm({
  platformId,
  onCreated,
}: {
  platformId: number;
  onCreated: (endpoint: WebhookEndpointCreated) => void;
}) {
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const create = useCreateWebhook();
  return (
    <form
      className="stack"
      aria-label="New webhook endpoint"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(
          { platformId, url: url.trim(), secret },
          {
            onSuccess: (endpoint) => {
              setUrl("");
              setSecret("");
              onCreated(endpoint);
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor="webhook-url">URL</label>
        <input
          id="webhook-url"
          type="url"
          required
          maxLength={500}
          placeholder="https://platform.example/tandem/events"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          data-testid="webhook-url"
        />
      </div>
      <div className="field">
        <label htmlFor="webhook-secret">Signing secret (optional)</label>
        <input
          id="webhook-secret"
          maxLength={128}
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          aria-describedby="webhook-secret-hint"
          data-testid="webhook-secret"
        />
        <p className="hint" id="webhook-secret-hint">
          Leave empty for a random one, shown once after adding.
        </p>
      </div>
      <ErrorMessage error={create.error} title="Could not add the endpoint" />
      <div className="button-group">
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="webhook-create">
          Add endpoint
        </button>
      </div>
    </form>
  );
}

function EndpointRow({ endpoint }: { endpoint: WebhookEndpoint }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="card stack" data-testid="webhook-row">
      <div className="row">
        <code className="break-anywhere" data-testid="webhook-row-url">
          {endpoint.url}
        </code>
        <span className={`badge ${endpoint.active === false ? "badge-revoked" : "badge-active"}`}>
          {endpoint.active === false ? "inactive" : "active"}
        </span>
        <span className="hint">
          secret {endpoint.secret_hint} · added {formatDateTime(endpoint.created_at)}
        </span>
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          data-testid="webhook-deliveries-toggle"
        >
          {open ? "Hide deliveries" : "Show deliveries"}
        </button>
      </div>
      {open ? <DeliveryLog endpointId={endpoint.id} /> : null}
    </li>
  );
}

/** A platform's webhook endpoints: add one (its secret shown once), list them, see deliveries. */
export function WebhooksPanel({ platformId }: { platformId: number }) {
  const webhooks = useWebhooks(platformId);
  const [created, setCreated] = useState<WebhookEndpointCreated | null>(null);
  return (
    <section className="stack" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhook endpoints</h2>
      <p className="hint">
        Decisions and appeal outcomes are posted to each endpoint, signed with its secret, and retried
        when the platform does not answer.
      </p>
      {created ? (
        <SecretOnce
          label={`Signing secret for ${created.url}`}
          value={created.secret}
          testId="webhook-new-secret"
          onDismiss={() => setCreated(null)}
        />
      ) : null}
      {webhooks.isPending ? <Loading label="Loading the endpoints…" /> : null}
      <ErrorMessage error={webhooks.error} title="Could not load the endpoints" />
      {webhooks.data && webhooks.data.results.length === 0 ? (
        <p className="hint" data-testid="webhooks-empty">
          No endpoints yet.
        </p>
      ) : null}
      {webhooks.data && webhooks.data.results.length > 0 ? (
        <ul className="plain-list stack" data-testid="webhook-list">
          {webhooks.data.results.map((endpoint) => (
            <EndpointRow key={endpoint.id} endpoint={endpoint} />
          ))}
        </ul>
      ) : null}
      <AddWebhookForm platformId={platformId} onCreated={setCreated} />
    </section>
  );
}
