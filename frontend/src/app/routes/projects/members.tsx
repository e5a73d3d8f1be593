import { AddMemberForm } from "@/features/members/components/add-member-form";
import { MembersTable } from "@/features/members/components/members-table";
import { useProject } from "@/features/projects/api/get-project";
import { canManageProject } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectMembersRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  if (!project.data) return null;
  const canManage = canManageProject(project.data.role);
  return (
    <div className="stack">
      {canManage ? <AddMemberForm projectId={projectId} /> : null}
      <MembersTable projectId={projectId} canManage={canManage} />
    </div>
  );
}
