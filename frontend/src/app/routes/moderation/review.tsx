import { Link, useSearchParams } from "react-router";

import { paths } from "@/config/paths";
import { ReviewPanel } from "@/features/moderation/components/review/review-panel";

function optionalNumber(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : undefined;
}

export function ModerationReviewRoute() {
  const [params] = useSearchParams();
  const tier = params.get("tier") === "senior" ? "senior" : "standard";
  const policy = optionalNumber(params.get("policy"));
  const category = optionalNumber(params.get("category"));
  return (
    // Keyed by the queue: another tier or filter is another session.
    <ReviewPanel
      key={`${tier}:${policy ?? ""}:${category ?? ""}`}
      tier={tier}
      policy={policy}
      category={category}
      back={<Link to={paths.moderation.href()}>Back to the queue</Link>}
    />
  );
}
