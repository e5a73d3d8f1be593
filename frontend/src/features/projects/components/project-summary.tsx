import { formatCount } from "@/lib/format";

import { DATA_TYPE_LABELS, type Project, ROLE_LABELS, TASK_TYPE_LABELS } from "../types";

export function ProjectSummary({ project }: { project: Project }) {
  return (
    <div className="stack">
      {project.description ? <p className="pre-wrap">{project.description}</p> : null}
      <dl className="facts">
        <div>
          <dt>Items</dt>
          <dd data-testid="item-count">{formatCount(project.item_count)}</dd>
        </div>
        <div>
          <dt>Data type</dt>
          <dd>{project.data_type ? DATA_TYPE_LABELS[project.data_type] : "—"}</dd>
        </div>
        <div>
          <dt>Task type</dt>
          <dd>{project.task_type ? TASK_TYPE_LABELS[project.task_type] : "—"}</dd>
        </div>
        <div>
          <dt>Annotations per item</dt>
          <dd>{formatCount(project.annotations_per_item ?? 1)}</dd>
        </div>
        <div>
          <dt>Your role</dt>
          <dd>{project.role ? (ROLE_LABELS[project.role] ?? project.role) : "—"}</dd>
        </div>
      </dl>
      <LabelClassList project={project} />
      <section aria-labelledby="guidelines-heading">
        <h2 id="guidelines-heading">Guidelines</h2>
        {project.guidelines_html ? (
          // guidelines_html is rendered from Markdown and cleaned by nh3 on the server (scripts,
          // event handlers and unknown tags removed). It is the only HTML this app injects;
          // item content is always rendered as text.
          // eslint-disable-next-line no-restricted-syntax
          <div className="guidelines" dangerouslySetInnerHTML={{ __html: project.guidelines_html }} />
        ) : (
          <p className="hint">No guidelines yet.</p>
        )}
      </section>
    </div>
  );
}

function LabelClassList({ project }: { project: Project }) {
  return (
    <section aria-labelledby="label-classes-heading">
      <h2 id="label-classes-heading">Label classes</h2>
      <table className="table table-compact" data-testid="label-classes">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Colour</th>
            <th scope="col">Hotkey</th>
          </tr>
        </thead>
        <tbody>
          {project.label_classes.map((labelClass) => (
            <tr key={labelClass.id}>
              <th scope="row">{labelClass.name}</th>
              <td>
                <span
                  className="swatch"
                  style={{ backgroundColor: labelClass.colour ?? "transparent" }}
                  aria-hidden="true"
                />{" "}
                <code>{labelClass.colour}</code>
              </td>
              <td>{labelClass.hotkey ? <kbd>{labelClass.hotkey}</kbd> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
