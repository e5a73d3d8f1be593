import { useState } from "react";
import { Link, useSearchParams } from "react-router";

import { paths } from "@/config/paths";
import { AcceptInviteForm } from "@/features/auth/components/accept-invite-form";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function AcceptInviteRoute() {
  useDocumentTitle("Accept invitation");
  const [searchParams] = useSearchParams();
  const uid = searchParams.get("uid") ?? "";
  const token = searchParams.get("token") ?? "";
  const [acceptedAs, setAcceptedAs] = useState<string | null>(null);

  return (
    <main id="main" className="auth-page">
      <h1>Accept your invitation</h1>
      {acceptedAs ? (
        <div role="status" className="alert alert-success" data-testid="invite-accepted">
          Your password is set, {acceptedAs}. <Link to={paths.login.href()}>Sign in</Link>.
        </div>
      ) : !uid || !token ? (
        <div role="alert" className="alert alert-error">
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
