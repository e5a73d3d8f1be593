import { NavLink, Outlet, useNavigate } from "react-router";

import { paths } from "@/config/paths";
import { useMe } from "@/features/auth/api/get-me";
import { LogoutButton } from "@/features/auth/components/logout-button";

/** The signed-in frame: a header with navigation and the current user, then the page. */
export function AppRoot() {
  const me = useMe();
  const navigate = useNavigate();
  const user = me.data;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to={paths.projects.href()} className="brand">
          Tandem
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to={paths.projects.href()} end={false}>
                Projects
              </NavLink>
            </li>
            <li>
              <NavLink to={paths.moderation.href()} data-testid="nav-moderation">
                Moderation
              </NavLink>
            </li>
            {user?.is_staff ? (
              <li>
                <NavLink to={paths.platforms.href()} data-testid="nav-platforms">
                  Platforms
                </NavLink>
              </li>
            ) : null}
            {user?.is_staff ? (
              <li>
                <NavLink to={paths.users.href()}>Users</NavLink>
              </li>
            ) : null}
            <li>
              <NavLink to={paths.account.href()}>Account</NavLink>
            </li>
          </ul>
        </nav>
        <div className="app-user">
          {user ? <span data-testid="current-user">{user.username}</span> : null}
          <LogoutButton onLoggedOut={() => navigate(paths.login.href(), { replace: true })} />
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
