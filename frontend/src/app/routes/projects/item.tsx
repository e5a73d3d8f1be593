import { Link, useParams } from "react-router";

import { paths } from "@/config/paths";
import { ItemDetail } from "@/features/items/components/item-detail";

import { useProjectId } from "./use-project-id";

export function ProjectItemRoute() {
  const projectId = useProjectId();
  const itemId = Number(useParams().itemId);
  return (
    <div className="stack">
      <p>
        <Link to={paths.projectItems.href(projectId)}>← All items</Link>
      </p>
      <ItemDetail projectId={projectId} itemId={itemId} />
    </div>
  );
}
