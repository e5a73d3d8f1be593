import { useParams } from "react-router";

/** The numeric `:projectId` of the current route (NaN when the address holds something else). */
export function useProjectId(): number {
  const { projectId } = useParams();
  return /^\d+$/.test(projectId ?? "") ? Number(projectId) : Number.NaN;
}
