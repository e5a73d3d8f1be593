import { Link } from "react-router";

import { formatDateTime } from "@/lib/format";

import { useDriftState } from "../api/get-drift";
import { MEASURE_TITLES } from "../types";

type DriftBannerProps = {
  projectId: number;
  /** Where the Drift page is (the banner links there); none: no link. */
  driftHref?: string | undefined;
  /** Names what is drifting when a page shows several projects (e.g. a policy's name). */
  subject?: string | undefined;
};

/** A warning when the project's newest judged drift window crossed a threshold; nothing otherwise. */
export function DriftBanner({ projectId, driftHref, subject }: DriftBannerProps) {
  const state = useDriftState({ projectId });
  if (!state.data?.alarm) return null;
  const measures = state.data.alarms.map((name) => MEASURE_TITLES[name] ?? name).join(", ");
  const since = state.data.alarm_since;
  return (
    <div role="alert" className="alert alert-warning drift-banner" data-testid="drift-banner">
      <strong>Drift alarm{subject ? ` (${subject})` : ""}:</strong> what arrives no longer looks like what the
      model was trained on ({measures}
      {since ? `, since window ${since.number} closed ${formatDateTime(since.ended_at)}` : ""}). Its scores may
      mislead; label new items and retrain.{" "}
      {driftHref ? <Link to={driftHref}>See the drift page</Link> : null}
    </div>
  );
}
