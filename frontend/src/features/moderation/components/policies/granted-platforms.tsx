import { formatDateTime } from "@/lib/format";

import type { Policy } from "../../types";

/** The platforms whose API keys may use the policy (read-only: site staff grant them). */
export function GrantedPlatforms({ policy }: { policy: Policy }) {
  const platforms = policy.granted_platforms;
  return (
    <section className="stack" aria-labelledby="granted-platforms-heading" data-testid="granted-platforms">
      <h3 id="granted-platforms-heading">Platforms that may use it</h3>
      {platforms.length === 0 ? (
        <p className="hint" data-testid="granted-platforms-empty">
          No platform may send content under this policy yet.
        </p>
      ) : (
        <ul className="plain-list">
          {platforms.map((platform) => (
            <li key={platform.id} data-testid="granted-platform">
              {platform.name} <span className="hint">since {formatDateTime(platform.granted_at)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="hint">
        Site staff grant and revoke platforms on the Platforms page; any other platform&apos;s keys get 404 for this
        policy and its content.
      </p>
    </section>
  );
}
