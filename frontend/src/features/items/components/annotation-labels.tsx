import { type Annotation, SOURCE_LABELS } from "../types";

/** An annotation's labels as text, whatever shape the stored value has. */
export function labelsText(labels: unknown): string {
  if (Array.isArray(labels)) return labels.map((label) => String(label)).join(", ");
  if (labels === null || labels === undefined) return "";
  if (typeof labels === "object") return JSON.stringify(labels);
  return String(labels);
}

export function AnnotationLabels({ annotations }: { annotations: Annotation[] }) {
  if (annotations.length === 0) return <span className="hint">Unlabeled</span>;
  return (
    <ul className="plain-list">
      {annotations.map((annotation) => (
        <li key={annotation.id}>
          {labelsText(annotation.labels)}{" "}
          <span className="hint">
            ({annotation.source ? SOURCE_LABELS[annotation.source] : "unknown"}
            {annotation.annotator ? `, ${annotation.annotator}` : ""})
          </span>
        </li>
      ))}
    </ul>
  );
}
