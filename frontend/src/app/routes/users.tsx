import { useMe } from "@/features/auth/api/get-me";
import { CreateUserForm } from "@/features/users/components/create-user-form";
import { UsersTable } from "@/features/users/components/users-table";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function UsersRoute() {
  useDocumentTitle("Users");
  const me = useMe();
  if (!me.data?.is_staff) {
    return (
      <div className="stack">
        <h1>Users</h1>
        <p role="alert" className="alert alert-error">
          Only site admins can manage users.
        </p>
      </div>
    );
  }
  return (
    <div className="stack">
      <h1>Users</h1>
      <CreateUserForm />
      <UsersTable />
    </div>
  );
}
