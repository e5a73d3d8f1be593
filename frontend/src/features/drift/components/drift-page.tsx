import "./drift.css";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime, formatDecimal, formatPercent } from "@/lib/format";

import { useDriftState, useDriftWindows } from "../api/get-drift";
import { useUpdateDriftSettings } from "../api/update-drift-settings";
import { DRIFT_MEASURES, MEASURE_TITLES } from "../types";
import { DriftChart } from "./drift-chart";
import { DriftSettingsForm } from "./drift-settings-form";

type DriftPageProps = { projectId: number; canManage: boolean };

/** The Drift page: alarm state, the four measures charted over the windows, the windows as a table,
 * and the thresholds. */
export function DriftPage({ projectId, canManage }: DriftPageProps) {
  const state = useDriftState({ projectId });
  const windows = useDriftWindows({ projectId });
  const update = useUpdateDriftSettings(projectId);

  if (state.isPending || windows.isPending) return <Loading label="Loading drift windows…" />;
  if (state.isError) return <ErrorMessage error={state.error} title="Could not load the drift state" />;
  if (windows.isError) return <ErrorMessage error={windows.error} title="Could not load the drift windows" />;

  const settings = state.data.settings;
  const rows = windows.data;
  const newestFirst = [...rows].reverse();
  return (
    <div className="stack" data-testid="drift-page">
      <section aria-labelledby="drift-state-heading" className="stack">
        <h2 id="drift-state-heading">Drift</h2>
        {state.data.alarm ? (
          <p className="alert alert-error" data-testid="drift-alarm">
            <strong>In alarm:</strong> {state.data.alarms.map((name) => MEASURE_TITLES[name] ?? name).join(", ")}{" "}
            above the threshold in window {state.data.window?.number}
            {state.data.alarm_since ? ` (since window ${state.data.alarm_since.number})` : ""}.
          </p>
        ) : rows.length > 0 ? (
          <p className="alert alert-success" data-testid="drift-calm">
            No alarm: the newest window judged is within every threshold.
          </p>
        ) : null}
      </section>
      {rows.length === 0 ? (
        <div className="empty-state" data-testid="drift-empty">
          <p>
            <strong>No drift windows yet.</strong> Drift is measured on the items that arrive after the project&apos;s
            production model was trained: content sent through moderation intake and items from later imports.
          </p>
          <p className="hint">
            A window closes after {formatCount(settings.window_hours)} hours, or sooner when it holds{" "}
            {formatCount(settings.window_max_items)} new items; each is compared with the model&apos;s training
            snapshot. Put a model in production, then send content or import items to start.
          </p>
        </div>
      ) : (
        <>
          <section aria-labelledby="drift-charts-heading" className="stack">
            <h3 id="drift-charts-heading">Measures over time</h3>
            <p className="hint">
              Dashed lines are the thresholds; red bands mark windows in alarm, red diamonds the measures that
              crossed. Windows smaller than {formatCount(settings.min_window_items)} items are drawn but never alarm.
            </p>
            <div className="drift-charts">
              {DRIFT_MEASURES.map((measure) => (
                <DriftChart
                  key={measure.key}
                  windows={rows}
                  measure={measure.key}
                  title={measure.title}
                  help={measure.help}
                  threshold={settings[measure.threshold] as number}
                />
              ))}
            </div>
          </section>
          <section aria-labelledby="drift-windows-heading" className="stack">
            <h3 id="drift-windows-heading">Windows</h3>
            <div className="table-scroll">
              <table className="table table-compact" data-testid="drift-windows-table">
                <thead>
                  <tr>
                    <th scope="col">Window</th>
                    <th scope="col">Closed</th>
                    <th scope="col" className="numeric">Items</th>
                    <th scope="col" className="numeric">Score PSI</th>
                    <th scope="col" className="numeric">Label-mix PSI</th>
                    <th scope="col" className="numeric">Domain AUC</th>
                    <th scope="col" className="numeric">Overturned</th>
                    <th scope="col">Model</th>
                    <th scope="col">Alarms</th>
                  </tr>
                </thead>
                <tbody>
                  {newestFirst.map((window) => (
                    <tr key={window.id} className={window.alarms.length ? "drift-row-alarm" : undefined}>
                      <th scope="row">{window.number}</th>
                      <td>
                        {formatDateTime(window.ended_at)}
                        {window.closed_by === "size" ? " (full)" : ""}
                      </td>
                      <td className="numeric">{formatCount(window.items)}</td>
                      <td className="numeric">{formatDecimal(window.score_psi)}</td>
                      <td className="numeric">{formatDecimal(window.label_mix_psi)}</td>
                      <td className="numeric">{formatDecimal(window.domain_auc)}</td>
                      <td className="numeric">
                        {window.overturn_share === null
                          ? "—"
                          : `${formatPercent(window.overturn_share)} of ${formatCount(window.decisions)}`}
                      </td>
                      <td>{window.model_version === null ? "—" : `v${window.model_version}`}</td>
                      <td>
                        {window.alarms.length
                          ? window.alarms.map((name) => MEASURE_TITLES[name] ?? name).join(", ")
                          : window.note || "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
      <section aria-labelledby="drift-settings-heading" className="stack">
        <h3 id="drift-settings-heading">Thresholds</h3>
        <DriftSettingsForm
          key={settings.updated_at ?? "defaults"}
          initial={settings}
          readOnly={!canManage}
          onSave={(input) => update.mutate(input)}
          saving={update.isPending}
          error={update.error}
          saved={update.isSuccess}
        />
      </section>
    </div>
  );
}
