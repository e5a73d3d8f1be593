import { useExposure } from "../../api/get-exposure";
import { formatActiveTime } from "../../utils/wellness";

/** Reveals of graphic content today (each content once a day), in the review panel's bar. */
export function ExposureCounter() {
  const exposure = useExposure();
  if (!exposure.data) return null;
  const { today, last_7_days: week } = exposure.data;
  return (
    <span
      className="exposure-counter"
      data-testid="exposure-counter"
      title={`Graphic content you revealed: ${today} today, ${week} in the last seven days`}
    >
      Graphic today: <strong data-testid="exposure-today">{today}</strong>
      <span className="hint"> · 7 days: {week}</span>
    </span>
  );
}

type BreakReminderProps = {
  seconds: number;
  busy: boolean;
  onBreak: () => void;
  onDismiss: () => void;
};

/** The reminder shown after the configured time on graphic content; both answers are logged. */
export function BreakReminder({ seconds, busy, onBreak, onDismiss }: BreakReminderProps) {
  return (
    <div role="status" className="alert alert-warning break-reminder" data-testid="break-reminder">
      <span>
        You have spent {formatActiveTime(seconds)} on graphic content. Step away for a few minutes: look
        at something far away, stretch, get some water.
      </span>
      <span className="button-group">
        <button type="button" className="btn btn-small" onClick={onBreak} disabled={busy} data-testid="break-take">
          I'm taking a break
        </button>
        <button type="button" className="btn btn-small" onClick={onDismiss} disabled={busy} data-testid="break-dismiss">
          Dismiss
        </button>
      </span>
    </div>
  );
}
