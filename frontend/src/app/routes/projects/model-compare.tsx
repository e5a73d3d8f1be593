import { Link, useSearchParams } from "react-router";

import { paths } from "@/config/paths";
import { ModelComparison } from "@/features/models/components/model-comparison";

import { useProjectId } from "./use-project-id";

/** A version number from the address, or null when it holds something else. */
function versionNumber(value: string | null): number | null {
  return value !== null && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null;
}

export function ProjectModelCompareRoute() {
  const projectId = useProjectId();
  const [search] = useSearchParams();
  const a = versionNumber(search.get("a"));
  const b = versionNumber(search.get("b"));

  return (
    <section aria-labelledby="compare-heading" className="stack">
      <h2 id="compare-heading">
        {a !== null && b !== null ? `Version ${a} and version ${b} compared` : "Compare model versions"}
      </h2>
      {a !== null && b !== null && a !== b ? (
        <ModelComparison key={`${a}-${b}`} projectId={projectId} a={a} b={b} />
      ) : (
        <p className="hint" data-testid="compare-pick-hint">
          Pick two different versions to compare in the versions table on the{" "}
          <Link to={paths.projectModels.href(projectId)}>Models tab</Link>.
        </p>
      )}
    </section>
  );
}
