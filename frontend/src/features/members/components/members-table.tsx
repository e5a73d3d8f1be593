import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatDateTime } from "@/lib/format";

import { useMembers } from "../api/get-members";
import { useRemoveMember } from "../api/remove-member";
import { useUpdateMember } from "../api/update-member";
import { type Member, ROLES, type Role } from "../types";
import { isolate } from "@/lib/bidi";

type MembersTableProps = {
  projectId: number;
  /** Only project admins may change roles or remove people; others see the list. */
  canManage: boolean;
};

export function MembersTable({ projectId, canManage }: MembersTableProps) {
  const members = useMembers(projectId);
  const update = useUpdateMember();
  const remove = useRemoveMember();

  if (members.isPending) return <Loading label="Loading members…" />;
  if (members.isError) return <ErrorMessage error={members.error} title="Could not load the members" />;

  function confirmRemove(member: Member) {
    if (window.confirm(`Remove ${isolate(member.username)} from this project?`)) {
      remove.mutate({ projectId, memberId: member.id });
    }
  }

  return (
    <section className="stack" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ErrorMessage error={update.error} title="Could not change the role" />
      <ErrorMessage error={remove.error} title="Could not remove the member" />
      <table className="table" data-testid="members-table">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Member since</th>
            {canManage ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {members.data.results.map((member) => (
            <tr key={member.id} data-testid="member-row">
              <th scope="row">{member.username}</th>
              <td>{member.email || "—"}</td>
              <td>
                {canManage ? (
                  <select
                    aria-label={`Role of ${member.username}`}
                    value={member.role}
                    disabled={update.isPending}
                    onChange={(event) =>
                      update.mutate({ projectId, memberId: member.id, role: event.target.value as Role })
                    }
                    data-testid={`member-role-${member.username}`}
                  >
                    {ROLES.map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                ) : (
                  (ROLES.find((option) => option.value === member.role)?.label ?? member.role)
                )}
              </td>
              <td>{formatDateTime(member.created_at)}</td>
              {canManage ? (
                <td>
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={remove.isPending}
                    onClick={() => confirmRemove(member)}
                    aria-label={`Remove ${member.username}`}
                    data-testid={`member-remove-${member.username}`}
                  >
                    Remove
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
