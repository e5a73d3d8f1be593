import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { formatDateTime } from "@/lib/format";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useDeliveries } from "../api/webhooks";
import { deliveryAttempts, type WebhookDelivery } from "../types";
import "./platforms.css";

const STATUS_LABELS: Record<string, string> = {
  pending: "pending",
  delivered: "delivered",
  failed: "failed (gave up)",
};

function StatusBadge({ status }: { status: string | undefined }) {
  const value = status ?? "pending";
  return (
    <span className={`badge badge-${value}`} data-testid="delivery-status">
      {STATUS_LABELS[value] ?? value}
    </span>
  );
}

function DeliveryRow({ delivery }: { delivery: WebhookDelivery }) {
  const attempts = deliveryAttempts(delivery);
  return (
    <tr data-testid="delivery-row" data-status={delivery.status}>
      <td className="nowrap">{formatDateTime(delivery.created_at)}</td>
      <td>
        <code>{delivery.event}</code>
        <div className="hint" title="X-Tandem-Delivery: the same on every attempt">
          id <code data-testid="delivery-id">{delivery.delivery_id}</code>
        </div>
      </td>
      <td>
        <StatusBadge status={delivery.status} />
        {delivery.status === "pending" && delivery.next_attempt_at ? (
          <div className="hint">next try {formatDateTime(delivery.next_attempt_at)}</div>
        ) : null}
      </td>
      <td>
        {attempts.length === 0 ? (
          <span className="hint">{delivery.attempts} attempts</span>
        ) : (
          <details data-testid="delivery-attempts">
            <summary>
              {delivery.attempts} {delivery.attempts === 1 ? "attempt" : "attempts"}
              {delivery.last_status_code ? ` · last ${delivery.last_status_code}` : ""}
            </summary>
            <table className="table table-compact attempt-log">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">At</th>
                  <th scope="col">Status code</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="numeric">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((attempt, index) => (
                  <tr key={index} data-testid="delivery-attempt">
                    <td>{attempt.attempt ?? index + 1}</td>
                    <td className="nowrap">{formatDateTime(attempt.at)}</td>
                    <td>{attempt.status_code ?? "—"}</td>
                    <td className="break-anywhere">{attempt.error || "—"}</td>
                    <td className="numeric">
                      {typeof attempt.duration_ms === "number" ? `${attempt.duration_ms} ms` : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </td>
      <td className="break-anywhere">{delivery.last_error || "—"}</td>
    </tr>
  );
}

/** One endpoint's deliveries, newest first (the API's order), each attempt expandable. */
export function DeliveryLog({ endpointId }: { endpointId: number }) {
  const [page, setPage] = useState(1);
  const deliveries = useDeliveries(endpointId, page);
  return (
    <div className="stack" data-testid="delivery-log">
      {deliveries.isPending ? <Loading label="Loading the deliveries…" /> : null}
      <ErrorMessage error={deliveries.error} title="Could not load the deliveries" />
      {deliveries.data && deliveries.data.results.length === 0 ? (
        <p className="hint" data-testid="deliveries-empty">
          Nothing sent to this endpoint yet.
        </p>
      ) : null}
      {deliveries.data && deliveries.data.results.length > 0 ? (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.results.map((delivery) => (
                <DeliveryRow key={delivery.id} delivery={delivery} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {deliveries.data && deliveries.data.count > DEFAULT_PAGE_SIZE ? (
        <Pagination
          page={page}
          pageSize={DEFAULT_PAGE_SIZE}
          count={deliveries.data.count}
          onPageChange={setPage}
          label="Delivery pages"
        />
      ) : null}
    </div>
  );
}
