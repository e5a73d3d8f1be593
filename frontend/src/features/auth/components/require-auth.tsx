import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";

import { useMe } from "../api/get-me";

/** Renders its children for a signed-in user; sends everyone else to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading label="Checking your session…" />;
  if (me.isError) return <ErrorMessage error={me.error} title="Could not check your session" />;
  if (me.data === null) {
    return <Navigate to={paths.login.href(location.pathname + location.search)} replace />;
  }
  return <>{children}</>;
}
