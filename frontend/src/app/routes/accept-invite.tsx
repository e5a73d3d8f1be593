import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";

import { paths } from "@/config/paths";
import { AcceptInviteForm } from "@/features/auth/components/accept-invite-form";
import { invitationFragment, readInvitation } from "@/features/auth/utils/invitation-link";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function AcceptInviteRoute() {
  useDocumentTitle("Accept invitation");
  const location = useLocation();
  const navigate = useNavigate();
  const { uid, token, fromQuery } = readInvitation(location.hash, location.search);
  const [acceptedAs, setAcceptedAs] = useState<string | null>(null);

  useEffect(() => {
    // An older link with the token in the query: keep it out of the address bar and history.
    if (fromQuery) {
      void navigate({ pathname: location.pathname, search: "", hash: invitationFragment(uid, token) }, { replace: true });
    }
  }, [fromQuery, navigate, location.pathname, uid, token]);

  return (
    <main id="main" className="auth-page">
      <h1>Accept your invitation</h1>
      {acceptedAs ? (
        <div role="status" className="alert alert-success" data-testid="invite-accepted">
          Your password is set, {acceptedAs}. <Link to={paths.login.href()}>Sign in</Link>.
        </div>
      ) : !uid || !token ? (
        <div role="alert" className="alert alert-error" data-testid="invite-incomplete">
          This link is incomplete. Open the whole invitation link you were sent.
        </div>
      ) : (
        <>
          <p>Choose a password to finish setting up your account.</p>
          <AcceptInviteForm uid={uid} token={token} onAccepted={(user) => setAcceptedAs(user.username)} />
        </>
      )}
    </main>
  );
}
