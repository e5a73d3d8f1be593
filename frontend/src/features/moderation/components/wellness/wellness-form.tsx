import type { WellnessOwn, WellnessValues } from "../../types";
import { BLUR_LABELS } from "../../utils/wellness";

type Field = keyof WellnessValues;
type Value = WellnessValues[Field] | null;

const SWITCHES: { field: "grayscale" | "sepia" | "hide_flagged_terms" | "mute_media"; label: string; hint: string }[] = [
  { field: "grayscale", label: "Grayscale", hint: "Images without colour." },
  { field: "sepia", label: "Sepia", hint: "Images in warm brown tones." },
  {
    field: "hide_flagged_terms",
    label: "Hide flagged terms",
    hint: "Words that rules flagged stay masked until you click them.",
  },
  { field: "mute_media", label: "Mute video and audio", hint: "Media starts muted." },
];
const BREAK_CHOICES = [0, 10, 20, 30, 45, 60, 90, 120];

function onOff(value: boolean): string {
  return value ? "On" : "Off";
}

function minutesLabel(minutes: number): string {
  return minutes === 0 ? "Off" : `After ${minutes} min`;
}

type WellnessFormProps = {
  /** The values edited: a person's own (null follows `defaults`) or the organisation's. */
  values: WellnessOwn | WellnessValues;
  /** The organisation's defaults, when editing a person's own values (adds "Default" choices). */
  defaults?: WellnessValues;
  disabled?: boolean;
  idPrefix: string;
  onChange: (field: Field, value: Value) => void;
};

/** The six wellness settings as selects; each change is sent at once by the caller. */
export function WellnessForm({ values, defaults, disabled = false, idPrefix, onChange }: WellnessFormProps) {
  const id = (field: Field) => `${idPrefix}-${field}`;
  const blur = values.blur ?? "";
  const minutes = values.break_reminder_minutes;
  const breakChoices = minutes !== null && !BREAK_CHOICES.includes(minutes) ? [...BREAK_CHOICES, minutes] : BREAK_CHOICES;
  return (
    <dl className="wellness-fields" data-testid={`${idPrefix}-form`}>
      <dt>
        <label htmlFor={id("blur")}>Blur strength</label>
      </dt>
      <dd>
        <select
          id={id("blur")}
          value={blur}
          disabled={disabled}
          data-testid={id("blur")}
          onChange={(event) => onChange("blur", event.target.value === "" ? null : (event.target.value as WellnessValues["blur"]))}
        >
          {defaults ? <option value="">Default ({BLUR_LABELS[defaults.blur].toLowerCase()})</option> : null}
          {(Object.keys(BLUR_LABELS) as WellnessValues["blur"][]).map((strength) => (
            <option key={strength} value={strength}>
              {BLUR_LABELS[strength]}
            </option>
          ))}
        </select>
      </dd>
      {SWITCHES.map(({ field, label, hint }) => {
        const value = values[field];
        return (
          <div key={field} style={{ display: "contents" }}>
            <dt>
              <label htmlFor={id(field)}>{label}</label>
            </dt>
            <dd>
              <select
                id={id(field)}
                value={value === null ? "" : value ? "on" : "off"}
                disabled={disabled}
                data-testid={id(field)}
                title={hint}
                onChange={(event) => onChange(field, event.target.value === "" ? null : event.target.value === "on")}
              >
                {defaults ? <option value="">Default ({onOff(defaults[field]).toLowerCase()})</option> : null}
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>{" "}
              <span className="hint">{hint}</span>
            </dd>
          </div>
        );
      })}
      <dt>
        <label htmlFor={id("break_reminder_minutes")}>Break reminder</label>
      </dt>
      <dd>
        <select
          id={id("break_reminder_minutes")}
          value={minutes === null ? "" : String(minutes)}
          disabled={disabled}
          data-testid={id("break_reminder_minutes")}
          onChange={(event) =>
            onChange("break_reminder_minutes", event.target.value === "" ? null : Number(event.target.value))
          }
        >
          {defaults ? (
            <option value="">Default ({minutesLabel(defaults.break_reminder_minutes).toLowerCase()})</option>
          ) : null}
          {breakChoices.map((choice) => (
            <option key={choice} value={choice}>
              {minutesLabel(choice)}
            </option>
          ))}
        </select>{" "}
        <span className="hint">Active time on graphic content before a reminder to take a break.</span>
      </dd>
    </dl>
  );
}
