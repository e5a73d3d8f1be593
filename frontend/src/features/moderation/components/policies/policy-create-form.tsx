import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";

import { useAdministeredProjects, useCreatePolicy } from "../../api/create-policy";
import { AUTOMATION_LABELS, type AutomationLevel } from "../../types";

const LEVELS = Object.keys(AUTOMATION_LABELS) as AutomationLevel[];

/**
 * Create a policy on a labeling project the caller administers. Categories, thresholds and
 * reason codes are set on the policy's own page afterwards.
 */
export function PolicyCreateForm({ onCreated }: { onCreated: (policyId: number) => void }) {
  const projects = useAdministeredProjects();
  const create = useCreatePolicy();
  const [name, setName] = useState("");
  const [projectId, setProjectId] = useState("");
  const [level, setLevel] = useState<AutomationLevel>("human_only");
  if (!projects.data || projects.data.length === 0) return null;
  return (
    <form
      className="stack card"
      aria-label="New policy"
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = name.trim();
        if (!trimmed || !projectId) return;
        create.mutate(
          { name: trimmed, project: Number(projectId), automation_level: level },
          { onSuccess: (policy) => onCreated(policy.id) },
        );
      }}
    >
      <h2>New policy</h2>
      <p className="hint">
        A policy checks a platform&apos;s content with a labeling project&apos;s model. Its new model versions
        start in shadow.
      </p>
      <div className="field">
        <label htmlFor="policy-name">Name</label>
        <input
          id="policy-name"
          value={name}
          maxLength={200}
          required
          onChange={(event) => setName(event.target.value)}
          data-testid="policy-new-name"
        />
      </div>
      <div className="field">
        <label htmlFor="policy-project">Labeling project</label>
        <select
          id="policy-project"
          value={projectId}
          required
          onChange={(event) => setProjectId(event.target.value)}
          data-testid="policy-new-project"
        >
          <option value="">Choose a project…</option>
          {projects.data.map((project) => (
            <option key={project.id} value={project.id}>
              {project.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="policy-level">Automation</label>
        <select
          id="policy-level"
          value={level}
          onChange={(event) => setLevel(event.target.value as AutomationLevel)}
          data-testid="policy-new-level"
        >
          {LEVELS.map((value) => (
            <option key={value} value={value}>
              {AUTOMATION_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={create.error} title="Could not create the policy" />
      <div className="button-group">
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="policy-create">
          Create policy
        </button>
      </div>
    </form>
  );
}
