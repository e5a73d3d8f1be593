import { useNavigate } from "react-router";

import { paths } from "@/config/paths";
import { PlatformList } from "@/features/platforms/components/platform-list";
import { useDocumentTitle } from "@/hooks/use-document-title";

import { StaffOnly } from "./staff-only";

export function PlatformsRoute() {
  useDocumentTitle("Platforms");
  const navigate = useNavigate();
  return (
    <div className="stack">
      <h1>Platforms</h1>
      <StaffOnly>
        <PlatformList platformHref={paths.platform.href} onCreated={(id) => navigate(paths.platform.href(id))} />
      </StaffOnly>
    </div>
  );
}
