import { useNavigate } from "react-router";

import { paths } from "@/config/paths";
import { PolicyCreateForm } from "@/features/moderation/components/policies/policy-create-form";
import { PolicyList } from "@/features/moderation/components/policies/policy-list";

export function ModerationPoliciesRoute() {
  const navigate = useNavigate();
  return (
    <div className="stack">
      <PolicyList policyHref={paths.moderationPolicy.href} />
      <PolicyCreateForm onCreated={(policyId) => navigate(paths.moderationPolicy.href(policyId))} />
    </div>
  );
}
