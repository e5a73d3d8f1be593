import { Link } from "react-router";

import { paths } from "@/config/paths";
import { useMe } from "@/features/auth/api/get-me";
import { ApiTokenPanel } from "@/features/auth/components/api-token-panel";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function AccountRoute() {
  useDocumentTitle("Account");
  const me = useMe();
  return (
    <div className="stack">
      <h1>Your account</h1>
      {me.data ? (
        <dl className="facts">
          <div>
            <dt>Username</dt>
            <dd>{me.data.username}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{me.data.email || "—"}</dd>
          </div>
          <div>
            <dt>Site admin</dt>
            <dd>{me.data.is_staff ? "Yes" : "No"}</dd>
          </div>
        </dl>
      ) : null}
      <p>
        How the review panel shows content to you (blur, grayscale, hidden flagged words, break reminders):{" "}
        <Link to={paths.moderationWellness.href()} data-testid="account-wellness-link">
          wellness settings
        </Link>
        .
      </p>
      <ApiTokenPanel />
    </div>
  );
}
