import { Link } from "react-router";

import { paths } from "@/config/paths";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function NotFoundRoute() {
  useDocumentTitle("Not found");
  return (
    <div className="stack">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to={paths.projects.href()}>Go to the projects</Link>.
      </p>
    </div>
  );
}
