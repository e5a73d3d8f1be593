import { formatDecimal } from "@/lib/format";

import type { Metric, OperatingPoint, PolicyPoint } from "../../types";
import { shareParts } from "../../utils/evaluation-text";

/** A share with its 95 % interval on a second, smaller line (keeps the table narrow). */
function ShareCell({ metric }: { metric: Metric }) {
  const [value, interval] = shareParts(metric);
  return (
    <td className="numeric">
      {value}
      {interval ? <span className="interval">{interval}</span> : null}
    </td>
  );
}

function Cells({ point }: { point: OperatingPoint }) {
  return (
    <>
      <ShareCell metric={point.removed} />
      <ShareCell metric={point.allowed} />
      <ShareCell metric={point.to_people} />
      <ShareCell metric={point.remove_precision} />
      <ShareCell metric={point.remove_recall} />
      <ShareCell metric={point.allow_precision} />
      <ShareCell metric={point.allow_recall} />
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
                <th scope="col">Category (remove at ≥ / allow at ≤)</th>
                <th scope="col" className="numeric">
                  Auto-removed
                </th>
                <th scope="col" className="numeric">
                  Auto-allowed
                </th>
                <th scope="col" className="numeric">
                  To people
                </th>
                <th scope="col" className="numeric">
                  Removals right (precision)
                </th>
                <th scope="col" className="numeric">
                  Violations removed (recall)
                </th>
                <th scope="col" className="numeric">
                  Allowed right (precision)
                </th>
                <th scope="col" className="numeric">
                  Clean allowed (recall)
                </th>
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
