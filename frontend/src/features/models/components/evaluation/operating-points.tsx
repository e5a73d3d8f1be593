import { formatDecimal } from "@/lib/format";

import type { OperatingPoint, PolicyPoint } from "../../types";
import { shareText } from "../../utils/evaluation-text";

function Cells({ point }: { point: OperatingPoint }) {
  return (
    <>
      <td className="nowrap">{shareText(point.removed)}</td>
      <td className="nowrap">{shareText(point.allowed)}</td>
      <td className="nowrap">{shareText(point.to_people)}</td>
      <td className="nowrap">
        {shareText(point.remove_precision)} / {shareText(point.remove_recall)}
      </td>
      <td className="nowrap">
        {shareText(point.allow_precision)} / {shareText(point.allow_recall)}
      </td>
    </>
  );
}

/**
 * What each moderation policy's thresholds would do to the held-out items: the shares removed,
 * allowed and sent to people, and the precision / recall of each automatic side, with 95 % intervals.
 */
export function OperatingPoints({ policies }: { policies: PolicyPoint[] }) {
  if (policies.length === 0) return null;
  return (
    <div className="stack" data-testid="operating-points">
      {policies.map((policy) => (
        <div key={`${policy.policy_id ?? policy.policy}`} className="table-scroll">
          <table className="table table-compact">
            <caption>
              Policy <bdi>{policy.policy}</bdi> at its thresholds
            </caption>
            <thead>
              <tr>
                <th scope="col">Category (remove ≥ / allow ≤)</th>
                <th scope="col">Auto-removed</th>
                <th scope="col">Auto-allowed</th>
                <th scope="col">To people</th>
                <th scope="col">Removal precision / recall</th>
                <th scope="col">Allow precision / recall</th>
              </tr>
            </thead>
            <tbody>
              {policy.categories.map((category) => (
                <tr key={category.name}>
                  <th scope="row">
                    <bdi>{category.name}</bdi> ({formatDecimal(category.remove_threshold, 2)} /{" "}
                    {formatDecimal(category.allow_threshold, 2)})
                  </th>
                  <Cells point={category} />
                </tr>
              ))}
              {policy.combined && policy.categories.length > 1 ? (
                <tr>
                  <th scope="row">The policy as intake decides</th>
                  <Cells point={policy.combined} />
                </tr>
              ) : null}
            </tbody>
          </table>
          {policy.unknown_classes.length ? (
            <p className="hint">
              Not measured: this version has no class {policy.unknown_classes.join(", ")}.
            </p>
          ) : null}
        </div>
      ))}
    </div>
  );
}
