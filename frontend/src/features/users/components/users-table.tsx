import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useUsers } from "../api/get-users";

export function UsersTable() {
  const [page, setPage] = useState(1);
  const users = useUsers({ page });
  return (
    <section className="stack" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <ErrorMessage error={users.error} title="Could not load the users" />
      {users.isPending ? <Loading /> : null}
      {users.data ? (
        <>
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Site admin</th>
              </tr>
            </thead>
            <tbody>
              {users.data.results.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.username}</th>
                  <td>{user.email || "—"}</td>
                  <td>{user.is_superuser ? "Superuser" : user.is_staff ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            pageSize={DEFAULT_PAGE_SIZE}
            count={users.data.count}
            onPageChange={setPage}
            label="User pages"
          />
        </>
      ) : null}
    </section>
  );
}
