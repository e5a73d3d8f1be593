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
      <ApiTokenPanel />
    </div>
  );
}
