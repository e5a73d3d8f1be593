import type { ContentState, Policy, QueueFilters, ReviewTier } from "../../types";
import { stateLabel, tierLabel } from "../../types";

type QueueFiltersProps = {
  policies: Policy[];
  filters: QueueFilters;
  onChange: (filters: QueueFilters) => void;
};

function numberOrUndefined(value: string): number | undefined {
  return value === "" ? undefined : Number(value);
}

/** Policy, category, state and tier filters of the queue list. */
export function QueueFiltersForm({ policies, filters, onChange }: QueueFiltersProps) {
  const policy = policies.find((candidate) => candidate.id === filters.policy);
  return (
    <form className="filters" aria-label="Queue filters" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor="queue-policy">Policy</label>
        <select
          id="queue-policy"
          value={filters.policy ?? ""}
          onChange={(event) =>
            // A category belongs to one policy: changing the policy clears it.
            onChange({ ...filters, policy: numberOrUndefined(event.target.value), category: undefined })
          }
          data-testid="queue-filter-policy"
        >
          <option value="">All policies</option>
          {policies.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="queue-category">Category</label>
        <select
          id="queue-category"
          value={filters.category ?? ""}
          disabled={!policy}
          onChange={(event) => onChange({ ...filters, category: numberOrUndefined(event.target.value) })}
          data-testid="queue-filter-category"
        >
          <option value="">{policy ? "All categories" : "Pick a policy first"}</option>
          {(policy?.categories ?? []).map((category) => (
            <option key={category.id ?? category.name} value={category.id}>
              {category.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="queue-state">State</label>
        <select
          id="queue-state"
          value={filters.state ?? ""}
          onChange={(event) =>
            onChange({ ...filters, state: (event.target.value || undefined) as ContentState | undefined })
          }
          data-testid="queue-filter-state"
        >
          <option value="">Open (pending and escalated)</option>
          {(["pending", "escalated"] as const).map((state) => (
            <option key={state} value={state}>
              {stateLabel(state)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="queue-tier">Tier</label>
        <select
          id="queue-tier"
          value={filters.tier ?? ""}
          onChange={(event) =>
            onChange({ ...filters, tier: (event.target.value || undefined) as ReviewTier | undefined })
          }
          data-testid="queue-filter-tier"
        >
          <option value="">All tiers</option>
          {(["standard", "senior"] as const).map((tier) => (
            <option key={tier} value={tier}>
              {tierLabel(tier)}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
