import { isRouteErrorResponse, Link, useRouteError } from "react-router";

import { paths } from "@/config/paths";
import { errorMessage } from "@/lib/api-client";

/** Shown when rendering a page throws; says what went wrong instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : errorMessage(error);
  return (
    <main id="main" className="auth-page">
      <h1>Something went wrong</h1>
      <div role="alert" className="alert alert-error">
        {message}
      </div>
      <p>
        <Link to={paths.projects.href()}>Back to the projects</Link>
      </p>
    </main>
  );
}
