import { Link } from "react-router";

import { paths } from "@/config/paths";
import { formatDateTime, formatPercent } from "@/lib/format";

import type { AuthorRecord, AuthorSanction, ContentDetail, DecisionSummary, RelatedContent } from "../../types";
import { actionLabel, reportSourceLabel, stateLabel } from "../../types";

/** "Remove (SPAM-1) by mia, author warned": the moderator's name and the reason code are
 * isolated, so a right-to-left override in them cannot reorder the rest of the sentence. */
export function DecisionText({ decision }: { decision: DecisionSummary }) {
  const author =
    decision.author_action === "warn"
      ? ", author warned"
      : decision.author_action === "suspend"
        ? `, author suspended ${decision.suspend_days ?? "?"} days`
        : "";
  return (
    <>
      {actionLabel(decision.action)}
      {decision.reason_code ? (
        <>
          {" ("}
          <bdi>{decision.reason_code}</bdi>)
        </>
      ) : null}
      {decision.automated ? (
        " automatically"
      ) : decision.moderator_name ? (
        <>
          {" by "}
          <bdi>{decision.moderator_name}</bdi>
        </>
      ) : null}
      {author}
      {decision.superseded ? ", overturned" : ""}
    </>
  );
}

function RelatedList({ entries }: { entries: RelatedContent[] }) {
  return (
    <ul className="plain-list">
      {entries.map((entry) => (
        <li key={entry.id} data-testid="related-content">
          <span className="break-anywhere">{entry.external_id}</span>{" "}
          <span className="hint">
            · {stateLabel(entry.state)}
            {entry.category ? ` · ${entry.category}` : ""}
            {" · "}
            {formatDateTime(entry.created_at)}
          </span>
          {entry.decisions.map((decision) => (
            <div key={decision.id} className="hint">
              <DecisionText decision={decision} />
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** "model v3 (production)": what a model version is, never shown as a score. */
export function modelVersionText(version: number | null | undefined, stage: string | null | undefined): string {
  if (version === null || version === undefined) return "model (version unknown)";
  return stage ? `model v${version} (${stage})` : `model v${version}`;
}

/** "remove ≥ 90% · allow ≤ 10%": the policy's thresholds of one category, when known. */
function thresholdsText(remove: number | null, allow: number | null): string {
  const parts = [
    remove !== null ? `remove ≥ ${formatPercent(remove, 0)}` : null,
    allow !== null ? `allow ≤ ${formatPercent(allow, 0)}` : null,
  ].filter((part): part is string => part !== null);
  return parts.join(" · ");
}

/**
 * How sure the suggestion is against the policy's thresholds for its category: a score between
 * the allow and remove thresholds is why the content reached a person, so it only "leans".
 */
export function suggestionVerb(
  score: number,
  thresholds: { remove_threshold: number | null; allow_threshold: number | null } | undefined,
): string {
  if (!thresholds || (thresholds.remove_threshold === null && thresholds.allow_threshold === null)) {
    return "Suggests";
  }
  if (thresholds.remove_threshold !== null && score >= thresholds.remove_threshold) return "Would";
  if (thresholds.allow_threshold !== null && score <= thresholds.allow_threshold) return "Would";
  return "Unsure, leans";
}

/**
 * Reports by the platform's users (their count is the heading), and apart from them what flagged
 * the content at intake: the model's own flag, rule hits and hash-bank matches.
 */
export function ReportsPanel({ content }: { content: ContentDetail }) {
  const flag = content.model_flag;
  return (
    <section aria-labelledby="review-reports-heading" data-testid="review-reports">
      <h3 id="review-reports-heading">
        Reports (<span data-testid="review-report-count">{content.user_report_count}</span>)
      </h3>
      {content.reports.length === 0 ? <p className="hint">No reports from users.</p> : null}
      <ul className="plain-list" data-testid="review-report-list">
        {content.reports.map((report, index) => (
          <li key={`${report.source}:${report.reporter}:${index}`} data-testid="review-report">
            <strong>{reportSourceLabel(report.source)}</strong> <bdi>{report.reporter}</bdi>
            {report.category ? ` · ${report.category}` : ""}
            {report.reason ? <span className="break-anywhere">: {report.reason}</span> : null}
          </li>
        ))}
      </ul>
      {flag ? (
        <p data-testid="review-model-flag">
          Flagged by {modelVersionText(flag.model_version, null)}
          {flag.score !== null ? ` at ${flag.score.toFixed(2)}` : ""}
          {flag.category ? ` · ${flag.category}` : ""}
        </p>
      ) : null}
      {content.rule_hits.length > 0 ? (
        <div data-testid="review-rule-hits">
          <h4>Rule matches</h4>
          <ul className="plain-list">
            {content.rule_hits.map((hit, index) => (
              <li key={`${hit.reporter}:${index}`}>
                <bdi className="break-anywhere">{hit.reporter}</bdi>
                {hit.category ? ` · ${hit.category}` : ""}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {content.hash_match || content.hash_matches.length > 0 ? (
        <div data-testid="review-hash-matches">
          <h4>Hash-bank matches</h4>
          {content.hash_matches.length === 0 ? <p>This content matches a known-bad hash.</p> : null}
          <ul className="plain-list">
            {content.hash_matches.map((match, index) => (
              <li key={`${match.reporter}:${index}`}>
                {match.category ?? "Known-bad hash"}
                {match.reason ? <span className="break-anywhere">: {match.reason}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

/**
 * The model's suggestion, the version that made it (apart from the scores), and its score per
 * category with the policy's thresholds; only when the API provides them (never human-only or
 * shadow).
 */
export function SuggestionPanel({ content }: { content: ContentDetail }) {
  const suggestion = content.model;
  const scores = content.category_scores;
  if (!suggestion && scores.length === 0) return null;
  return (
    <section aria-labelledby="review-model-heading" data-testid="review-suggestion">
      <h3 id="review-model-heading">Model</h3>
      {suggestion ? (
        <>
          <p className="hint" data-testid="review-model-version">
            {modelVersionText(suggestion.model_version, suggestion.model_stage)}
          </p>
          <p data-testid="review-suggestion-text">
            {suggestionVerb(suggestion.score, scores.find((row) => row.category === suggestion.category))}{" "}
            <strong>{suggestion.action}</strong>
            {suggestion.category ? ` · ${suggestion.category}` : ""} · {formatPercent(suggestion.score)}
          </p>
        </>
      ) : null}
      {scores.length > 0 ? (
        <table className="category-scores" data-testid="review-category-scores">
          <caption className="hint">Score per category</caption>
          <tbody>
            {scores.map((row) => (
              <tr key={row.category} data-testid="category-score" data-category={row.category}>
                <th scope="row">
                  <bdi className="break-anywhere">{row.category}</bdi>
                </th>
                <td className="numeric">{formatPercent(row.score)}</td>
                <td className="hint">{thresholdsText(row.remove_threshold, row.allow_threshold)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

const STRIKES_SHOWN = 5;

/** "Suspended until 9 Mar 2026, 10:00 (6 points ≥ 6)": the action in force, in words. */
function sanctionText(action: AuthorSanction): string {
  const until = action.ends_at ? ` until ${formatDateTime(action.ends_at)}` : action.kind === "ban" ? "" : " (no end)";
  const verb = action.kind === "warn" ? "Warned" : action.kind === "suspend" ? "Suspended" : "Banned";
  const why =
    action.source === "threshold" && action.threshold_points !== null
      ? ` (${action.live_points} points ≥ ${action.threshold_points})`
      : " (by a moderator's decision)";
  return `${verb}${until}${why}`;
}

/** Live strike points, the action in force, and the latest strikes with their expiry. */
export function AuthorStrikes({ author }: { author: AuthorRecord }) {
  const strikes = author.strikes.slice(0, STRIKES_SHOWN);
  return (
    <>
      <p>
        <span data-testid="author-live-points">
          {author.live_points} live strike point{author.live_points === 1 ? "" : "s"}
        </span>
        {" · "}
        <span data-testid="author-current-action">
          {author.current_action ? sanctionText(author.current_action) : "No action in force"}
        </span>
      </p>
      {strikes.length === 0 ? (
        <p className="hint" data-testid="author-no-strikes">
          No strikes.
        </p>
      ) : (
        <ul className="plain-list" data-testid="author-strikes">
          {strikes.map((strike) => (
            <li key={strike.id} data-testid="author-strike" data-state={strike.state}>
              <span className="numeric">{strike.points}</span> pt{strike.points === 1 ? "" : "s"}
              {strike.reason_code ? (
                <>
                  {" ("}
                  <bdi>{strike.reason_code}</bdi>)
                </>
              ) : null}
              {" · "}
              <span className="hint">
                {strike.state === "reversed"
                  ? `reversed on appeal ${formatDateTime(strike.reversed_at)}`
                  : strike.expires_at
                    ? `${strike.state === "expired" ? "expired" : "expires"} ${formatDateTime(strike.expires_at)}`
                    : "never expires"}
              </span>
            </li>
          ))}
        </ul>
      )}
      {author.strikes.length > STRIKES_SHOWN ? (
        <p className="hint">{author.strikes.length - STRIKES_SHOWN} older strikes not shown.</p>
      ) : null}
    </>
  );
}

/** The author's record: strike points, the action in force, and what they posted before. */
export function AuthorPanel({ content }: { content: ContentDetail }) {
  const author = content.author;
  if (!author) return null;
  // The name the platform shows for the author (intake context), if it sent one.
  const context = content.context as Record<string, unknown> | null;
  const displayName = typeof context?.author_display_name === "string" ? context.author_display_name : null;
  return (
    <section aria-labelledby="review-author-heading" data-testid="review-author">
      <h3 id="review-author-heading">
        Author{" "}
        {displayName ? (
          <>
            <bdi className="break-anywhere" data-testid="review-author-name">
              {displayName}
            </bdi>{" "}
            (<bdi className="break-anywhere">{author.external_id}</bdi>)
          </>
        ) : (
          <bdi className="break-anywhere">{author.external_id}</bdi>
        )}
        {" "}
        <Link to={paths.moderationAuthor.href(author.id)} className="h-link" data-testid="review-author-link">
          All their content
        </Link>
      </h3>
      <AuthorStrikes author={author} />
      {content.author_history.length === 0 ? <p className="hint">Nothing posted before.</p> : null}
      <div data-testid="author-history">
        <RelatedList entries={content.author_history} />
      </div>
    </section>
  );
}


/** Decisions so far on this content (an escalation, say). */
export function DecisionsPanel({ content }: { content: ContentDetail }) {
  if (content.decisions.length === 0) return null;
  return (
    <section aria-labelledby="review-decisions-heading" data-testid="review-decisions">
      <h3 id="review-decisions-heading">Decisions so far</h3>
      <ul className="plain-list">
        {content.decisions.map((decision) => (
          <li key={decision.id}>
            <DecisionText decision={decision} /> <span className="hint">· {formatDateTime(decision.created_at)}</span>
            {decision.note ? <div className="break-anywhere">{decision.note}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
