import { NavLink, Outlet } from "react-router";

import { paths } from "@/config/paths";
import { DriftBanner } from "@/features/drift/components/drift-banner";
import { usePolicies } from "@/features/moderation/api/get-policies";
import { useDocumentTitle } from "@/hooks/use-document-title";

/** A drift banner per project behind the policies the user sees (one per project, named by its policies). */
function PolicyDriftBanners() {
  const policies = usePolicies();
  const byProject = new Map<number, string[]>();
  for (const policy of policies.data?.results ?? []) {
    byProject.set(policy.project, [...(byProject.get(policy.project) ?? []), policy.name]);
  }
  return (
    <>
      {[...byProject.entries()].map(([projectId, names]) => (
        <DriftBanner
          key={projectId}
          projectId={projectId}
          subject={names.join(", ")}
          driftHref={paths.projectDrift.href(projectId)}
        />
      ))}
    </>
  );
}

/** The moderation area: queue, search, appeals, policies, the audit log, wellness and quality, one tab each. */
export function ModerationLayout() {
  useDocumentTitle("Moderation");
  return (
    <div className="stack">
      <h1>Moderation</h1>
      <PolicyDriftBanners />
      <nav aria-label="Moderation" className="tabs">
        <NavLink to={paths.moderation.href()} end data-testid="tab-moderation-queue">
          Queue
        </NavLink>
        <NavLink to={paths.moderationSearch.href()} data-testid="tab-moderation-search">
          Search
        </NavLink>
        <NavLink to={paths.moderationAppeals.href()} data-testid="tab-moderation-appeals">
          Appeals
        </NavLink>
        <NavLink to={paths.moderationPolicies.href()} data-testid="tab-moderation-policies">
          Policies
        </NavLink>
        <NavLink to={paths.moderationAudit.href()} data-testid="tab-moderation-audit">
          Audit log
        </NavLink>
        <NavLink to={paths.moderationWellness.href()} data-testid="tab-moderation-wellness">
          Wellness
        </NavLink>
        <NavLink to={paths.moderationQuality.href()} data-testid="tab-moderation-quality">
          Quality
        </NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
