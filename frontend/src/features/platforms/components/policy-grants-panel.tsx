import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { useGrantPolicy, usePolicyGrants, useRevokePolicyGrant } from "../api/grants";
import type { PolicyGrant } from "../types";
import "./platforms.css";

function GrantRow({ row, platformId }: { row: PolicyGrant; platformId: number }) {
  const [confirming, setConfirming] = useState(false);
  const grant = useGrantPolicy();
  const revoke = useRevokePolicyGrant();
  const input = { platformId, policyId: row.policy };
  return (
    <tr data-testid="policy-grant-row" data-policy={row.policy} data-granted={row.granted}>
      <td>
        <span data-testid="policy-grant-name">{row.policy_name}</span>
        <div className="hint">project {row.project_name}</div>
      </td>
      <td>
        {row.granted ? (
          <span className="badge badge-active" data-testid="policy-grant-status">
            may use
          </span>
        ) : (
          <span className="badge badge-revoked" data-testid="policy-grant-status">
            no access
          </span>
        )}
        {row.granted && row.granted_at ? (
          <div className="hint">
            since {formatDateTime(row.granted_at)}
            {row.granted_by ? ` · by ${row.granted_by}` : ""}
          </div>
        ) : null}
      </td>
      <td>
        {!row.granted ? (
          <button
            type="button"
            className="btn btn-small"
            disabled={grant.isPending}
            onClick={() => grant.mutate(input)}
            data-testid="policy-grant"
          >
            Grant
          </button>
        ) : confirming ? (
          <div role="group" aria-label={`Revoke ${row.policy_name}`} className="stack" data-testid="policy-grant-confirm">
            <span>
              Revoke? The platform&apos;s intake under this policy, and its reports, appeals and status reads of
              content already sent, are refused from the next request. The content stays with the policy.
            </span>
            <div className="button-group">
              <button
                type="button"
                className="btn btn-danger btn-small"
                disabled={revoke.isPending}
                onClick={() => revoke.mutate(input, { onSuccess: () => setConfirming(false) })}
                data-testid="policy-grant-revoke-yes"
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
                data-testid="policy-grant-revoke-no"
              >
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setConfirming(true)}
            data-testid="policy-grant-revoke"
          >
            Revoke…
          </button>
        )}
        <ErrorMessage error={grant.error ?? revoke.error} title="Could not change the grant" />
      </td>
    </tr>
  );
}

/** Which policies the platform's keys may use: grant one, or revoke it (after confirming). */
export function PolicyGrantsPanel({ platformId }: { platformId: number }) {
  const grants = usePolicyGrants(platformId);
  return (
    <section className="stack" aria-labelledby="policy-grants-heading">
      <h2 id="policy-grants-heading">Policies</h2>
      <p className="hint">
        The platform&apos;s keys may send content under, report, appeal and read only the policies granted here; to
        them every other policy does not exist.
      </p>
      {grants.isPending ? <Loading label="Loading the policies…" /> : null}
      <ErrorMessage error={grants.error} title="Could not load the policies" />
      {grants.data && grants.data.results.length === 0 ? (
        <p className="hint" data-testid="policy-grants-empty">
          There are no policies yet: a project admin creates them on the Policies page.
        </p>
      ) : null}
      {grants.data && grants.data.results.length > 0 ? (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="policy-grant-list">
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col">Access</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.data.results.map((row) => (
                <GrantRow key={row.policy} row={row} platformId={platformId} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
