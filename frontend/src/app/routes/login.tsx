import { Navigate, useNavigate, useSearchParams } from "react-router";

import { Loading } from "@/components/ui/loading";
import { useMe } from "@/features/auth/api/get-me";
import { LoginForm } from "@/features/auth/components/login-form";
import { safeNextPath } from "@/features/auth/utils/safe-next";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function LoginRoute() {
  useDocumentTitle("Sign in");
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const me = useMe();
  const next = safeNextPath(searchParams.get("next"));

  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to={next} replace />;

  return (
    <main id="main" className="auth-page">
      <h1 id="login-heading">Sign in to Tandem</h1>
      <LoginForm onSuccess={() => navigate(next, { replace: true })} />
    </main>
  );
}
