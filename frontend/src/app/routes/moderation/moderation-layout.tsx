import { NavLink, Outlet } from "react-router";

import { paths } from "@/config/paths";
import { useDocumentTitle } from "@/hooks/use-document-title";

/** The moderation area: queue, appeals, policies, the audit log and wellness, one tab each. */
export function ModerationLayout() {
  useDocumentTitle("Moderation");
  return (
    <div className="stack">
      <h1>Moderation</h1>
      <nav aria-label="Moderation" className="tabs">
        <NavLink to={paths.moderation.href()} end data-testid="tab-moderation-queue">
          Queue
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
      </nav>
      <Outlet />
    </div>
  );
}
