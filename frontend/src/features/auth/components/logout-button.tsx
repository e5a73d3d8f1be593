import { ErrorMessage } from "@/components/ui/error-message";

import { useLogout } from "../api/logout";

export function LogoutButton({ onLoggedOut }: { onLoggedOut: () => void }) {
  const logoutMutation = useLogout();
  return (
    <>
      <button
        type="button"
        className="btn btn-link"
        onClick={() => logoutMutation.mutate(undefined, { onSuccess: onLoggedOut })}
        disabled={logoutMutation.isPending}
        data-testid="logout"
      >
        Log out
      </button>
      <ErrorMessage error={logoutMutation.error} title="Could not log out" />
    </>
  );
}
