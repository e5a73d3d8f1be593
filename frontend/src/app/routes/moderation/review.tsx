import { Link, useSearchParams } from "react-router";

import { paths } from "@/config/paths";
import { ReviewPanel } from "@/features/moderation/components/review/review-panel";

function optionalNumber(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : undefined;
}

export function ModerationReviewRoute() {
  const [params, setParams] = useSearchParams();
  const tier = params.get("tier") === "senior" ? "senior" : "standard";
  const policy = optionalNumber(params.get("policy"));
  const category = optionalNumber(params.get("category"));
  const queue = optionalNumber(params.get("queue"));
  const chooseQueue = (next: number | undefined) => {
    const updated = new URLSearchParams(params);
    if (next === undefined) updated.delete("queue");
    else updated.set("queue", String(next));
    // Another queue is its own session; the policy and category narrowing go with the old one.
    updated.delete("policy");
    updated.delete("category");
    setParams(updated);
  };
  return (
    // Keyed by the queue: another tier, queue or filter is another session.
    <ReviewPanel
      key={`${tier}:${policy ?? ""}:${category ?? ""}:${queue ?? ""}`}
      tier={tier}
      policy={policy}
      category={category}
      queue={queue}
      onQueueChange={chooseQueue}
      back={<Link to={paths.moderation.href()}>Back to the queue</Link>}
    />
  );
}
