import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { errorMessage } from "@/lib/api-client";
import { formatDateTime } from "@/lib/format";

import { useBacktests, useRules, useStartBacktest, useTextBanks, useUpdateRule } from "../../api/rules";
import type { Backtest, Rule, RuleStatus } from "../../types";
import { describeCondition } from "./condition";
import { RuleForm } from "./rule-form";
import { TextBanks } from "./text-banks";

const STATUS_LABELS: Record<RuleStatus, string> = {
  draft: "Draft",
  background: "Background",
  live: "Live",
  expired: "Expired",
};
const BACKTEST_DAYS = 30;

type BacktestResults = {
  contents: number;
  hits: number;
  human_removed: number;
  human_allowed: number;
  automatic: number;
  pending: number;
  precision: number | null;
  overlap: { rule: number; name: string; both: number }[];
};

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${Math.round(value * 100)} %`;
}

function BacktestSummary({ backtest }: { backtest: Backtest }) {
  if (backtest.state === "queued" || backtest.state === "running") {
    return (
      <div className="backtest-progress" data-testid="backtest-progress">
        <progress max={1} value={backtest.progress} aria-label={`Progress of backtest ${backtest.id}`} />
        <span className="hint">
          {backtest.rows_done.toLocaleString("en")} of {backtest.rows_total.toLocaleString("en")} contents
        </span>
      </div>
    );
  }
  if (backtest.state === "failed") {
    return (
      <p role="alert" className="alert alert-error pre-wrap">
        The backtest failed: {backtest.error_message}
      </p>
    );
  }
  const results = backtest.results as BacktestResults;
  return (
    <p data-testid="backtest-results" className="backtest-results">
      Would have hit <strong data-testid="backtest-hits">{results.hits.toLocaleString("en")}</strong> of{" "}
      {results.contents.toLocaleString("en")} contents in the last {BACKTEST_DAYS} days: people removed{" "}
      <strong data-testid="backtest-removed">{results.human_removed}</strong> and allowed{" "}
      <strong data-testid="backtest-allowed">{results.human_allowed}</strong> (precision{" "}
      <span data-testid="backtest-precision">{percent(results.precision)}</span>); {results.automatic} decided
      automatically, {results.pending} open.
      {results.overlap.length
        ? ` Overlap: ${results.overlap.map((item) => `${item.both} with “${item.name}”`).join(", ")}.`
        : null}
    </p>
  );
}

function RuleRow({
  rule,
  policyId,
  canEdit,
  backtest,
}: {
  rule: Rule;
  policyId: number;
  canEdit: boolean;
  backtest: Backtest | undefined;
}) {
  const update = useUpdateRule(policyId);
  const start = useStartBacktest(policyId);
  const status = rule.status ?? "draft";
  return (
    <li className="rule-card stack" data-testid="rule-row" data-rule={rule.name}>
      <div className="rule-card-header">
        <h4>{rule.name}</h4>
        <span className={`rule-status rule-status-${status}`} data-testid="rule-status" data-status={status}>
          {STATUS_LABELS[status]}
        </span>
        <span className="hint">
          {rule.action === "strike" ? `strike ${rule.strike_points ?? "?"} points` : rule.action}
          {rule.category ? ` · ${rule.category}` : ""}
          {rule.expires_at ? ` · expires ${formatDateTime(rule.expires_at)}` : ""}
        </span>
      </div>
      <p className="rule-condition" data-testid="rule-condition">
        When {describeCondition(rule.condition)}
      </p>
      <p className="hint" data-testid="rule-figures">
        Last 30 days: {rule.hits} hits, {rule.acted} acted on; people removed {rule.human_removed} and allowed{" "}
        {rule.human_allowed} (precision {percent(rule.precision)}).
      </p>
      {canEdit ? (
        <div className="button-group">
          <label className="inline-field">
            Status{" "}
            <select
              value={status}
              aria-label={`Status of ${rule.name}`}
              disabled={update.isPending}
              onChange={(event) =>
                update.mutate({ ruleId: rule.id, input: { status: event.target.value as RuleStatus } })
              }
              data-testid="rule-status-select"
            >
              {Object.entries(STATUS_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn btn-small"
            disabled={start.isPending}
            onClick={() => {
              const end = new Date();
              const begin = new Date(end.getTime() - BACKTEST_DAYS * 24 * 3600 * 1000);
              start.mutate({ rule: rule.id, period_start: begin.toISOString(), period_end: end.toISOString() });
            }}
            data-testid="rule-backtest"
          >
            Backtest the last {BACKTEST_DAYS} days
          </button>
        </div>
      ) : null}
      {update.isError ? (
        <p role="alert" className="alert alert-error">
          The status was not changed: {errorMessage(update.error)}
        </p>
      ) : null}
      {start.isError ? (
        <p role="alert" className="alert alert-error">
          The backtest did not start: {errorMessage(start.error)}
        </p>
      ) : null}
      {backtest ? <BacktestSummary backtest={backtest} /> : null}
    </li>
  );
}

/** A policy's rules over signals and their text banks: written, backtested and switched live here. */
export function RulesSection({
  policyId,
  categories,
  canEdit,
}: {
  policyId: number;
  categories: string[];
  canEdit: boolean;
}) {
  const rules = useRules(policyId);
  const banks = useTextBanks(policyId);
  const backtests = useBacktests(policyId);
  const [writing, setWriting] = useState(false);

  if (rules.isPending || banks.isPending) return <Loading label="Loading the rules…" />;
  if (rules.isError) return <ErrorMessage error={rules.error} title="Could not load the rules" />;
  if (banks.isError) return <ErrorMessage error={banks.error} title="Could not load the text banks" />;

  const latest = new Map<number, Backtest>();
  for (const backtest of backtests.data?.results ?? []) {
    if (backtest.rule !== null && !latest.has(backtest.rule)) latest.set(backtest.rule, backtest);
  }
  const bankNames = banks.data.results.map((bank) => bank.name);
  // No accessible name from the heading: the policy form above has a field labelled "Rules".
  return (
    <section className="stack" data-testid="rules-section">
      <h2>Rules over signals</h2>
      <p className="hint">
        Rules run at intake over the model&apos;s scores, text banks, hash matches, reports and the context a platform
        sends. Background rules are only logged; live rules act.
      </p>
      <TextBanks policyId={policyId} banks={banks.data.results} canEdit={canEdit} />
      {rules.data.results.length === 0 && !writing ? (
        <p className="hint" data-testid="rules-empty">
          No rule yet.{" "}
          {canEdit ? "Write one, run it in the background or backtest it, then switch it live." : "Senior moderators and admins write them."}
        </p>
      ) : (
        <ul className="plain-list stack" data-testid="rules-list">
          {rules.data.results.map((rule) => (
            <RuleRow key={rule.id} rule={rule} policyId={policyId} canEdit={canEdit} backtest={latest.get(rule.id)} />
          ))}
        </ul>
      )}
      {canEdit && !writing ? (
        <div>
          <button type="button" className="btn btn-primary" onClick={() => setWriting(true)} data-testid="write-rule">
            Write a rule
          </button>
        </div>
      ) : null}
      {canEdit && writing ? (
        <RuleForm policyId={policyId} categories={categories} banks={bankNames} onDone={() => setWriting(false)} />
      ) : null}
    </section>
  );
}
