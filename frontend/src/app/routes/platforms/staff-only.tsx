import type { ReactNode } from "react";

import { Loading } from "@/components/ui/loading";
import { useMe } from "@/features/auth/api/get-me";

/** Platforms, keys and webhooks are for site staff; the API refuses everyone else anyway. */
export function StaffOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (!me.data?.is_staff) {
    return (
      <p role="alert" className="alert alert-error">
        Only site admins can manage platforms.
      </p>
    );
  }
  return <>{children}</>;
}
