import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";
import { Loading } from "@/components/ui/loading";
import { errorMessage } from "@/lib/api-client";

import {
  useAddQueueMember,
  useCreateQueue,
  useDeleteQueue,
  usePolicyQueues,
  useProjectPeople,
  useRemoveQueueMember,
  useUpdateQueue,
} from "../../api/queues";
import type { PolicyQueue } from "../../types";
import "../moderation.css";

// Roles that may be members of a queue (moderation.selectors.access.MODERATE_ROLES).
const MODERATE_ROLES = new Set(["admin", "moderator", "senior_moderator"]);

const KIND_LABELS: Record<PolicyQueue["kind"], string> = {
  default: "Default: content no routing rule sends elsewhere",
  appeals: "Appeals: content under appeal (senior moderators)",
  custom: "Named queue",
};

type Mutations = {
  update: ReturnType<typeof useUpdateQueue>;
  remove: ReturnType<typeof useDeleteQueue>;
  addMember: ReturnType<typeof useAddQueueMember>;
  removeMember: ReturnType<typeof useRemoveQueueMember>;
};

function QueueRow({
  queue,
  above,
  below,
  people,
  mutations,
}: {
  queue: PolicyQueue;
  above: PolicyQueue | undefined;
  below: PolicyQueue | undefined;
  people: { user: number; username: string }[];
  mutations: Mutations;
}) {
  const [name, setName] = useState(queue.name);
  const [adding, setAdding] = useState("");
  const { update, remove, addMember, removeMember } = mutations;
  const busy = update.isPending || remove.isPending || addMember.isPending || removeMember.isPending;
  const memberIds = new Set(queue.members.map((member) => member.id));
  const candidates = people.filter((person) => !memberIds.has(person.user));
  // Moving swaps positions with the neighbour (two audited updates).
  const swap = (other: PolicyQueue) => {
    update.mutate({ queueId: queue.id, input: { position: other.position } });
    update.mutate({ queueId: other.id, input: { position: queue.position } });
  };

  return (
    <li className="rule-card stack" data-testid="queue-admin-row" data-queue={queue.name}>
      <form
        className="row row-end"
        onSubmit={(event) => {
          event.preventDefault();
          update.mutate({ queueId: queue.id, input: { name } });
        }}
      >
        <Field label="Name" htmlFor={`queue-name-${queue.id}`}>
          <input
            id={`queue-name-${queue.id}`}
            value={name}
            maxLength={100}
            required
            onChange={(event) => setName(event.target.value)}
            data-testid="queue-name"
          />
        </Field>
        <button type="submit" className="btn btn-small" disabled={busy || name === queue.name}>
          Rename
        </button>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={queue.restricted}
            disabled={busy || queue.kind === "appeals"}
            onChange={(event) => update.mutate({ queueId: queue.id, input: { restricted: event.target.checked } })}
            data-testid="queue-restricted"
          />{" "}
          Restricted to its members
        </label>
        <span className="button-group">
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || above === undefined}
            onClick={() => above && swap(above)}
            aria-label={`Move ${queue.name} up`}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || below === undefined}
            onClick={() => below && swap(below)}
            aria-label={`Move ${queue.name} down`}
          >
            ↓
          </button>
          {queue.kind === "custom" ? (
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => remove.mutate(queue.id)}
              data-testid="queue-delete"
            >
              Delete
            </button>
          ) : null}
        </span>
      </form>
      <p className="hint">
        {KIND_LABELS[queue.kind]}
        {queue.routing_rules > 0 ? ` · ${queue.routing_rules} routing rule${queue.routing_rules === 1 ? "" : "s"}` : ""}
      </p>
      {queue.restricted ? (
        <div className="stack" data-testid="queue-members">
          {queue.members.length === 0 ? (
            <p className="hint">No member yet: only the policy&apos;s admins and senior moderators work it. Add moderators below.</p>
          ) : (
            <ul className="plain-list queue-members">
              {queue.members.map((member) => (
                <li key={member.id} data-testid="queue-member">
                  {member.username}{" "}
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy}
                    onClick={() => removeMember.mutate({ queueId: queue.id, userId: member.id })}
                    aria-label={`Remove ${member.username} from ${queue.name}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form
            className="row row-end"
            onSubmit={(event) => {
              event.preventDefault();
              if (adding === "") return;
              addMember.mutate({ queueId: queue.id, userId: Number(adding) }, { onSuccess: () => setAdding("") });
            }}
          >
            <Field label="Add a moderator" htmlFor={`queue-add-${queue.id}`}>
              <select
                id={`queue-add-${queue.id}`}
                value={adding}
                onChange={(event) => setAdding(event.target.value)}
                data-testid="queue-add-member"
              >
                <option value="">Choose…</option>
                {candidates.map((person) => (
                  <option key={person.user} value={person.user}>
                    {person.username}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" className="btn btn-small" disabled={busy || adding === ""} data-testid="queue-add-submit">
              Add
            </button>
          </form>
        </div>
      ) : null}
      {[update, remove, addMember, removeMember].map((mutation, index) =>
        mutation.isError ? (
          <p key={index} role="alert" className="alert alert-error">
            {errorMessage(mutation.error)}
          </p>
        ) : null,
      )}
    </li>
  );
}

/**
 * A policy's review queues, for its admins: create, rename, restrict to members (and choose them),
 * order, delete. Routing rules in the rules section below send content to them.
 */
export function QueueAdmin({ policyId, projectId }: { policyId: number; projectId: number }) {
  const queues = usePolicyQueues(policyId);
  const people = useProjectPeople(projectId);
  const create = useCreateQueue(policyId);
  const mutations: Mutations = {
    update: useUpdateQueue(policyId),
    remove: useDeleteQueue(policyId),
    addMember: useAddQueueMember(policyId),
    removeMember: useRemoveQueueMember(policyId),
  };
  const [name, setName] = useState("");
  const [restricted, setRestricted] = useState(false);

  if (queues.isPending) return <Loading label="Loading the queues…" />;
  if (queues.isError) return <ErrorMessage error={queues.error} title="Could not load the queues" />;
  const list = queues.data.results;
  const moderators = (people.data?.results ?? []).filter((person) => MODERATE_ROLES.has(person.role));

  return (
    <section className="stack" aria-labelledby="queues-heading" data-testid="queue-admin">
      <h2 id="queues-heading">Review queues</h2>
      <p className="hint">
        Content waits in the default queue unless a live routing rule sends it elsewhere (the first that holds wins).
        Every moderator of the policy works an open queue; a restricted one only its members, the admins and senior
        moderators.
      </p>
      <ul className="plain-list stack">
        {list.map((queue, index) => (
          <QueueRow
            key={`${queue.id}:${queue.updated_at}`}
            queue={queue}
            above={list[index - 1]}
            below={list[index + 1]}
            people={moderators}
            mutations={mutations}
          />
        ))}
      </ul>
      <form
        className="row row-end"
        data-testid="queue-create"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(
            { name, restricted },
            {
              onSuccess: () => {
                setName("");
                setRestricted(false);
              },
            },
          );
        }}
      >
        <Field label="New queue" htmlFor="queue-new-name">
          <input
            id="queue-new-name"
            value={name}
            maxLength={100}
            required
            placeholder="e.g. Spanish, Graphic, Scams"
            onChange={(event) => setName(event.target.value)}
            data-testid="queue-new-name"
          />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={restricted} onChange={(event) => setRestricted(event.target.checked)} />{" "}
          Restricted
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="queue-create-submit">
          Add queue
        </button>
      </form>
      {create.isError ? (
        <p role="alert" className="alert alert-error">
          The queue was not added: {errorMessage(create.error)}
        </p>
      ) : null}
    </section>
  );
}
