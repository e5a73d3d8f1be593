import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { usePolicies } from "../../api/get-policies";
import { AUTOMATION_LABELS } from "../../types";

/** The policies the signed-in person moderates, each linking to its settings. */
export function PolicyList({ policyHref }: { policyHref: (policyId: number) => string }) {
  const policies = usePolicies();
  if (policies.isPending) return <Loading label="Loading the policies…" />;
  if (policies.isError) return <ErrorMessage error={policies.error} title="Could not load the policies" />;
  if (policies.data.results.length === 0) {
    return <p className="hint">No policies you moderate yet. An admin of a labeling project creates one.</p>;
  }
  return (
    <table className="table table-compact" data-testid="policy-list">
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col">Automation</th>
          <th scope="col">Categories</th>
          <th scope="col">Changed</th>
        </tr>
      </thead>
      <tbody>
        {policies.data.results.map((policy) => (
          <tr key={policy.id}>
            <th scope="row">
              <Link to={policyHref(policy.id)} data-testid="policy-link">
                {policy.name}
              </Link>
            </th>
            <td>{AUTOMATION_LABELS[policy.automation_level]}</td>
            <td>{policy.categories.map((category) => category.name).join(", ") || "—"}</td>
            <td>{formatDateTime(policy.updated_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
