import { Link, useParams } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { paths } from "@/config/paths";
import { PlatformDetail } from "@/features/platforms/components/platform-detail";
import { useDocumentTitle } from "@/hooks/use-document-title";

import { StaffOnly } from "./staff-only";

export function PlatformRoute() {
  useDocumentTitle("Platform");
  const { platformId: raw } = useParams();
  const platformId = Number(raw);
  return (
    <div className="stack">
      <p className="breadcrumb">
        <Link to={paths.platforms.href()}>Platforms</Link> /
      </p>
      <StaffOnly>
        {Number.isInteger(platformId) ? (
          <PlatformDetail key={platformId} platformId={platformId} />
        ) : (
          <ErrorMessage error={new Error("There is no such platform.")} />
        )}
      </StaffOnly>
    </div>
  );
}
