import { useNavigate } from "react-router";

import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { useMe } from "@/features/auth/api/get-me";
import { CreateProjectForm } from "@/features/projects/components/create-project-form";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function CreateProjectRoute() {
  useDocumentTitle("New project");
  const me = useMe();
  const navigate = useNavigate();
  if (me.isPending) return <Loading />;
  return (
    <div className="stack narrow">
      <h1>New project</h1>
      {me.data?.is_staff ? (
        <CreateProjectForm onCreated={(project) => navigate(paths.project.href(project.id))} />
      ) : (
        <p role="alert" className="alert alert-error">
          Only site admins can create projects.
        </p>
      )}
    </div>
  );
}
