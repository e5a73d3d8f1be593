import { paths } from "@/config/paths";
import { useProject } from "@/features/projects/api/get-project";
import { ItemsBrowser } from "@/features/items/components/items-browser";

import { useProjectId } from "./use-project-id";

export function ProjectItemsRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  return (
    <section aria-labelledby="items-heading" className="stack">
      <h2 id="items-heading">Items</h2>
      <ItemsBrowser
        projectId={projectId}
        labelNames={project.data.label_classes.map((labelClass) => labelClass.name)}
        itemHref={(item) => `${paths.projectItems.href(projectId)}/${item.id}`}
      />
    </section>
  );
}
