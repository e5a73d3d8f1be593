import { paths } from "@/config/paths";
import { PolicyList } from "@/features/moderation/components/policies/policy-list";

export function ModerationPoliciesRoute() {
  return <PolicyList policyHref={paths.moderationPolicy.href} />;
}
