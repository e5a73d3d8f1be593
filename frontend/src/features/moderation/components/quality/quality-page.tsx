import { useMemo, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatPercent } from "@/lib/format";

import { usePolicies } from "../../api/get-policies";
import { useNow } from "../../hooks/use-now";
import {
  useCreateGoldItem,
  useQualityDashboard,
  useQualitySettings,
  useUpdateQualitySettings,
} from "../../api/quality";
import type { ModeratorQuality, PolicyQuality } from "../../types";

const PERIODS = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
  { days: 365, label: "Last 12 months" },
] as const;

/** "83% of 12", or "no data" when nothing was counted (a rate of nothing is not 0%). */
function Rate({ value, of, testId }: { value: number | null; of: number; testId: string }) {
  return (
    <span data-testid={testId}>
      {value === null ? <span className="hint">no data</span> : `${formatPercent(value, 0)} of ${formatCount(of)}`}
    </span>
  );
}

function ModeratorsTable({ rows, own }: { rows: ModeratorQuality[]; own: boolean }) {
  if (rows.length === 0) {
    return (
      <p data-testid="quality-moderators-empty">
        {own
          ? "You have no reviews in this period yet: decisions you make in the queue are counted here."
          : "No reviews in this period. Set a gold rate or a double-review share below to start measuring."}
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table data-testid="quality-moderators">
        <thead>
          <tr>
            <th scope="col">Moderator</th>
            <th scope="col">Decisions</th>
            <th scope="col">Accuracy on gold items</th>
            <th scope="col">Agreement with peers</th>
            <th scope="col">Appeals overturned</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.user_id} data-testid="quality-moderator-row" data-username={row.username}>
              <th scope="row">
                <bdi>{row.username}</bdi>
              </th>
              <td data-testid="quality-decisions">{formatCount(row.decisions)}</td>
              <td>
                <Rate value={row.gold_accuracy} of={row.gold_answered} testId="quality-gold" />
              </td>
              <td>
                <Rate value={row.agreement} of={row.second_reviews} testId="quality-agreement" />
              </td>
              <td>
                <Rate value={row.overturn_rate} of={row.appeals_decided} testId="quality-overturn" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The policy's gold rate and double-review share, and adding a gold item by content id. */
function PolicyQualitySettings({ policyId }: { policyId: number }) {
  const settings = useQualitySettings(policyId);
  const update = useUpdateQualitySettings(policyId);
  const addGold = useCreateGoldItem(policyId);
  const [gold, setGold] = useState<string | null>(null);
  const [double, setDouble] = useState<string | null>(null);
  const [contentId, setContentId] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  if (settings.isPending) return <Loading label="Loading settings…" />;
  if (settings.isError) return <ErrorMessage error={settings.error} title="Could not load the settings" />;
  if (settings.data === null) return null;
  const goldValue = gold ?? String(Math.round(settings.data.gold_rate * 1000) / 10);
  const doubleValue = double ?? String(Math.round(settings.data.double_review_rate * 1000) / 10);
  const save = () => {
    setMessage(null);
    update.mutate(
      { gold_rate: Number(goldValue) / 100, double_review_rate: Number(doubleValue) / 100 },
      {
        onSuccess: () => {
          setGold(null);
          setDouble(null);
          setMessage("Saved.");
        },
      },
    );
  };
  const add = () => {
    setMessage(null);
    addGold.mutate(
      { content: Number(contentId) },
      {
        onSuccess: (item) => {
          setContentId("");
          setMessage(`Content ${item.external_id} is now a gold item (correct decision: ${item.expected_action}).`);
        },
      },
    );
  };
  return (
    <div className="quality-settings" data-testid={`quality-settings-${policyId}`}>
      <form
        className="quality-settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <Field label="Gold items (% of the queue)" htmlFor={`gold-rate-${policyId}`}>
          <input
            id={`gold-rate-${policyId}`}
            type="number"
            min={0}
            max={100}
            step={0.5}
            value={goldValue}
            onChange={(event) => setGold(event.target.value)}
          />
        </Field>
        <Field label="Second reviews (% of decisions)" htmlFor={`double-rate-${policyId}`}>
          <input
            id={`double-rate-${policyId}`}
            type="number"
            min={0}
            max={100}
            step={1}
            value={doubleValue}
            onChange={(event) => setDouble(event.target.value)}
          />
        </Field>
        <button type="submit" disabled={update.isPending}>
          Save rates
        </button>
      </form>
      <form
        className="quality-settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
      >
        <Field
          label="Add a gold item (decided content id)"
          htmlFor={`gold-content-${policyId}`}
          hint="Its standing decision is taken as the correct one."
        >
          <input
            id={`gold-content-${policyId}`}
            inputMode="numeric"
            value={contentId}
            onChange={(event) => setContentId(event.target.value.replace(/\D/g, ""))}
          />
        </Field>
        <button type="submit" disabled={addGold.isPending || contentId === ""}>
          Add gold item
        </button>
      </form>
      <ErrorMessage error={update.error ?? addGold.error} title="Not saved" />
      {message ? (
        <p role="status" className="hint" data-testid="quality-settings-saved">
          {message}
        </p>
      ) : null}
    </div>
  );
}

function PolicyCard({ row }: { row: PolicyQuality }) {
  return (
    <section className="card stack" data-testid="quality-policy" data-policy={row.policy}>
      <h3>
        <bdi>{row.policy_name}</bdi>
      </h3>
      <dl className="quality-figures">
        <div>
          <dt>Automated</dt>
          <dd data-testid="quality-automated">
            {row.automated_share === null
              ? "no decisions"
              : `${formatPercent(row.automated_share, 0)} (${formatCount(row.automated)} automatic, ${formatCount(row.manual)} by people)`}
          </dd>
        </div>
        <div>
          <dt>SLA met</dt>
          <dd data-testid="quality-sla">
            {row.sla_met_share === null
              ? "no decisions by people"
              : `${formatPercent(row.sla_met_share, 0)} of ${formatCount(row.sla_total)}`}
          </dd>
        </div>
      </dl>
      <h4>Rule hits</h4>
      {row.rule_hits.length === 0 ? (
        <p className="hint">No rule hit content in this period.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="quality-rule-hits">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Status</th>
                <th scope="col">Hits</th>
                <th scope="col">Acted</th>
              </tr>
            </thead>
            <tbody>
              {row.rule_hits.map((hit) => (
                <tr key={hit.rule}>
                  <td className="break-anywhere">
                    <bdi>{hit.rule_name}</bdi>
                  </td>
                  <td>{hit.status}</td>
                  <td>{formatCount(hit.hits)}</td>
                  <td>{formatCount(hit.acted)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PolicyQualitySettings policyId={row.policy} />
    </section>
  );
}

/**
 * How consistently moderators decide, over a period: accuracy on gold items (content with a known
 * correct decision, mixed into queues unannounced), agreement on second reviews, appeal overturns
 * and decisions per moderator; per policy the automated share, SLA met and rule hits. Policy admins
 * see their policies; moderators their own figures.
 */
export function QualityPage() {
  const [days, setDays] = useState<number>(30);
  const [policy, setPolicy] = useState<number | undefined>(undefined);
  const policies = usePolicies();
  // The period ends at the start of the next minute, so the query key stays the same within it.
  const now = useNow(60_000);
  const filters = useMemo(() => {
    const until = new Date(Math.ceil(now / 60_000) * 60_000);
    const since = new Date(until.getTime() - days * 86_400_000);
    return { since: since.toISOString(), until: until.toISOString(), policy };
  }, [days, policy, now]);
  const dashboard = useQualityDashboard(filters);
  return (
    <div className="stack" data-testid="quality-page">
      <h2>Quality of moderation</h2>
      <div className="quality-filters">
        <Field label="Period" htmlFor="quality-period">
          <select id="quality-period" value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {PERIODS.map((period) => (
              <option key={period.days} value={period.days}>
                {period.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Policy" htmlFor="quality-policy">
          <select
            id="quality-policy"
            value={policy ?? ""}
            onChange={(event) => setPolicy(event.target.value ? Number(event.target.value) : undefined)}
          >
            <option value="">All your policies</option>
            {(policies.data?.results ?? []).map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {dashboard.isPending ? <Loading label="Loading figures…" /> : null}
      {dashboard.isError ? <ErrorMessage error={dashboard.error} title="Could not load the figures" /> : null}
      {dashboard.data ? (
        <>
          <section className="stack" aria-labelledby="quality-moderators-title">
            <h3 id="quality-moderators-title">
              {dashboard.data.scope === "own" ? "Your figures" : "Moderators"}
            </h3>
            <p className="hint">
              Accuracy counts gold items only; agreement counts second reviews, for both moderators.
            </p>
            <ModeratorsTable rows={dashboard.data.moderators} own={dashboard.data.scope === "own"} />
          </section>
          {dashboard.data.policies.length > 0 ? (
            <section className="stack" aria-labelledby="quality-policies-title">
              <h3 id="quality-policies-title">Policies</h3>
              <div className="quality-policies">
                {dashboard.data.policies.map((row) => (
                  <PolicyCard key={row.policy} row={row} />
                ))}
              </div>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
