import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { usePolicy } from "@/features/moderation/api/get-policy";
import { GrantedPlatforms } from "@/features/moderation/components/policies/granted-platforms";
import { PolicySettings } from "@/features/moderation/components/policies/policy-settings";
import { QueueAdmin } from "@/features/moderation/components/queues/queue-admin";
import { RulesSection } from "@/features/moderation/components/rules/rules-section";
import { ModelStageControls } from "@/features/moderation/components/stages/model-stage-controls";
import { projectQueryOptions } from "@/features/projects/api/get-project";

// Mirrors moderation.selectors.access.POLICY_ADMIN_ROLES and the model-stage roles; the server
// enforces them, the page only hides controls a role cannot use.
const POLICY_EDIT_ROLES = new Set(["admin", "senior_moderator"]);
const STAGE_ROLES = new Set(["admin", "ml_engineer", "senior_moderator"]);

export function ModerationPolicyRoute() {
  const { policyId: raw } = useParams();
  const policyId = Number(raw);
  const policy = usePolicy(policyId, { enabled: Number.isInteger(policyId) });
  const projectId = policy.data?.project;
  const project = useQuery({ ...projectQueryOptions(projectId ?? 0), enabled: projectId !== undefined });

  if (!Number.isInteger(policyId)) return <ErrorMessage error={new Error("There is no such policy.")} />;
  if (policy.isPending) return <Loading label="Loading the policy…" />;
  if (policy.isError) return <ErrorMessage error={policy.error} title="Could not load the policy" />;

  const role = project.data?.role ?? null;
  return (
    <div className="stack">
      <p className="breadcrumb">
        <Link to={paths.moderationPolicies.href()}>Policies</Link> /
      </p>
      <h2 data-testid="policy-name">{policy.data.name}</h2>
      {policy.data.description ? <p>{policy.data.description}</p> : null}
      <p className="hint">
        Linked project:{" "}
        <Link to={paths.project.href(policy.data.project)}>{project.data?.name ?? `#${policy.data.project}`}</Link>
      </p>
      <GrantedPlatforms policy={policy.data} />
      {project.isPending ? (
        <Loading label="Loading the project…" />
      ) : (
        <PolicySettings
          // Keyed by the policy, not its updated_at: a save must not remount the form, which
          // would drop the "Saved" confirmation (the form takes the saved policy itself).
          key={policy.data.id}
          policy={policy.data}
          labelClasses={(project.data?.label_classes ?? []).map((labelClass) => labelClass.name)}
          canEdit={role !== null && POLICY_EDIT_ROLES.has(role)}
        />
      )}
      {role !== null && POLICY_EDIT_ROLES.has(role) ? (
        <QueueAdmin policyId={policy.data.id} projectId={policy.data.project} />
      ) : null}
      <RulesSection
        policyId={policy.data.id}
        categories={policy.data.categories.map((category) => category.name)}
        canEdit={role !== null && POLICY_EDIT_ROLES.has(role)}
      />
      <section aria-labelledby="model-stages-heading" className="stack">
        <h2 id="model-stages-heading">Model stages</h2>
        <ModelStageControls
          projectId={policy.data.project}
          canChange={role !== null && STAGE_ROLES.has(role)}
        />
      </section>
    </div>
  );
}
