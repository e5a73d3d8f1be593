import { useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { useResetWellness, useUpdateWellness, useWellness } from "../../api/get-wellness";
import { useUpdateWellnessDefaults, useWellnessDefaults } from "../../api/wellness-defaults";
import type { WellnessValues } from "../../types";
import { MyExposure, ModeratorsExposure } from "./exposure-panels";
import { WellnessForm } from "./wellness-form";

type Field = keyof WellnessValues;

/** A moderator's own settings: each change is saved at once; reset forgets them all. */
function MySettings() {
  const wellness = useWellness();
  const update = useUpdateWellness();
  const reset = useResetWellness();
  const [saved, setSaved] = useState<string | null>(null);
  if (wellness.isPending) return <Loading label="Loading your settings…" />;
  if (wellness.isError) return <ErrorMessage error={wellness.error} title="Could not load your settings" />;
  const busy = update.isPending || reset.isPending;
  const change = (field: Field, value: WellnessValues[Field] | null) => {
    setSaved(null);
    update.mutate({ [field]: value }, { onSuccess: () => setSaved("Saved.") });
  };
  return (
    <section className="stack" aria-labelledby="my-wellness-title" data-testid="my-wellness">
      <h2 id="my-wellness-title">Your review settings</h2>
      <p className="hint">
        How the review panel shows content to you. "Default" follows what your organisation set; a choice of your own
        wins over it.
      </p>
      <WellnessForm
        values={wellness.data.own}
        defaults={wellness.data.defaults}
        disabled={busy}
        idPrefix="wellness"
        onChange={change}
      />
      <ErrorMessage error={update.error ?? reset.error} title="Not saved" />
      <p className="button-group" style={{ alignItems: "center" }}>
        <button
          type="button"
          className="btn"
          disabled={busy}
          data-testid="wellness-reset"
          onClick={() => {
            setSaved(null);
            reset.mutate(undefined, { onSuccess: () => setSaved("Back to the organisation's defaults.") });
          }}
        >
          Reset to defaults
        </button>
        {saved ? (
          <span role="status" data-testid="wellness-saved">
            {saved}
          </span>
        ) : null}
      </p>
    </section>
  );
}

/** The organisation's defaults, for site staff. */
function OrganisationDefaults() {
  const defaults = useWellnessDefaults({ enabled: true });
  const update = useUpdateWellnessDefaults();
  const [saved, setSaved] = useState(false);
  if (defaults.isPending) return <Loading label="Loading the defaults…" />;
  if (defaults.isError) return <ErrorMessage error={defaults.error} title="Could not load the defaults" />;
  return (
    <section className="stack" aria-labelledby="wellness-defaults-title" data-testid="wellness-defaults">
      <h2 id="wellness-defaults-title">Organisation defaults</h2>
      <p className="hint">Everyone who has not chosen a value of their own follows these.</p>
      <WellnessForm
        values={defaults.data}
        disabled={update.isPending}
        idPrefix="wellness-defaults"
        onChange={(field, value) => {
          setSaved(false);
          if (value === null) return;
          update.mutate({ [field]: value }, { onSuccess: () => setSaved(true) });
        }}
      />
      <ErrorMessage error={update.error} title="Not saved" />
      {saved ? (
        <p role="status" data-testid="wellness-defaults-saved">
          Saved: the defaults apply to everyone without their own choice.
        </p>
      ) : null}
    </section>
  );
}

/**
 * Reviewer wellness: your own settings over the organisation's defaults, your exposure to graphic
 * content, and — for site staff and the people who run a policy — the defaults and moderators' exposure.
 */
export function WellnessPage({ isStaff }: { isStaff: boolean }) {
  return (
    <div className="stack" data-testid="wellness-page">
      <div className="wellness-grid">
        <MySettings />
        <section className="stack" aria-labelledby="my-exposure-title">
          <h2 id="my-exposure-title">Your exposure</h2>
          <MyExposure />
        </section>
      </div>
      {isStaff ? <OrganisationDefaults /> : null}
      <ModeratorsExposure />
    </div>
  );
}
