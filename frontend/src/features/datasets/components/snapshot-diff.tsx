import { useId, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount } from "@/lib/format";

import { useSnapshotDiff } from "../api/get-snapshot-diff";
import type { DiffSample, Snapshot, SnapshotDiff as Diff } from "../types";
import { snapshotTitle } from "../utils/filters";

type SnapshotDiffProps = {
  projectId: number;
  /** The snapshots to choose from (newest first); only those cut successfully are offered. */
  snapshots: Snapshot[];
};

const KINDS = [
  { key: "added", label: "Added" },
  { key: "removed", label: "Removed" },
  { key: "relabeled", label: "Relabeled" },
] as const;

function labelsText(labels: readonly string[] | undefined): string {
  return labels?.length ? labels.join(", ") : "—";
}

function sampleName(sample: DiffSample): string {
  if (sample.external_id) return String(sample.external_id);
  if (sample.id !== undefined) return `item ${sample.id}`;
  return "item";
}

function sampleContent(sample: DiffSample): string {
  const text = typeof sample.text === "string" && sample.text ? sample.text : (sample.image_name ?? "");
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function DistributionTable({ diff }: { diff: Diff }) {
  const a = diff.distribution?.a ?? {};
  const b = diff.distribution?.b ?? {};
  const classes = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="diff-distribution">
        <caption>Label distribution</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="numeric">
              #{diff.a}
            </th>
            <th scope="col" className="numeric">
              #{diff.b}
            </th>
            <th scope="col" className="numeric">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {classes.map((name) => {
            const change = (b[name] ?? 0) - (a[name] ?? 0);
            return (
              <tr key={name} data-testid="diff-distribution-row" data-class={name}>
                <th scope="row">
                  <bdi>{name}</bdi>
                </th>
                <td className="numeric">{formatCount(a[name])}</td>
                <td className="numeric">{formatCount(b[name])}</td>
                <td className="numeric" data-testid="diff-change">
                  {change > 0 ? `+${formatCount(change)}` : change < 0 ? `−${formatCount(-change)}` : "0"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Samples({ diff }: { diff: Diff }) {
  return (
    <div className="diff-samples">
      {KINDS.map(({ key, label }) => {
        const samples = diff.samples?.[key] ?? [];
        if (!samples.length) return null;
        return (
          <section key={key} className="stack" data-testid={`diff-samples-${key}`}>
            <h4>
              {label} ({samples.length < diff[key] ? `${samples.length} of ${formatCount(diff[key])}` : formatCount(samples.length)})
            </h4>
            <ul className="plain-list diff-sample-list">
              {samples.map((sample, index) => (
                <li key={`${sample.id ?? index}`} data-testid="diff-sample">
                  <strong>
                    <bdi>{sampleName(sample)}</bdi>
                  </strong>{" "}
                  {key === "relabeled" ? (
                    <span>
                      <bdi>{labelsText(sample.labels_a)}</bdi> → <bdi>{labelsText(sample.labels_b)}</bdi>
                    </span>
                  ) : (
                    <span>
                      <bdi>{labelsText(sample.labels)}</bdi>
                    </span>
                  )}
                  {sampleContent(sample) ? (
                    <div className="hint break-anywhere">
                      <bdi>{sampleContent(sample)}</bdi>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

/** Pick two snapshots: what was added, removed and relabeled from the first to the second. */
export function SnapshotDiff({ projectId, snapshots }: SnapshotDiffProps) {
  const id = useId();
  const ready = snapshots.filter((snapshot) => snapshot.state === "succeeded");
  // Until one is picked: the newest against the one before it.
  const [pickedA, setA] = useState<number | null>(null);
  const [pickedB, setB] = useState<number | null>(null);
  const a = pickedA ?? ready[1]?.number ?? null;
  const b = pickedB ?? ready[0]?.number ?? null;
  const diff = useSnapshotDiff({ projectId, a, b });

  if (ready.length < 2) {
    return <p className="hint">Cut two snapshots to compare them.</p>;
  }

  const select = (label: string, value: number | null, set: (n: number) => void, testId: string) => (
    <div className="field">
      <label htmlFor={`${id}-${testId}`}>{label}</label>
      <select
        id={`${id}-${testId}`}
        value={value ?? ""}
        onChange={(event) => set(Number(event.target.value))}
        data-testid={testId}
      >
        {ready.map((snapshot) => (
          <option key={snapshot.id} value={snapshot.number}>
            {snapshotTitle(snapshot)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <div className="stack" data-testid="snapshot-diff">
      <div className="row row-end">
        {select("From", a, setA, "diff-a")}
        {select("To", b, setB, "diff-b")}
      </div>
      {a === b ? <p className="hint">Pick two different snapshots.</p> : null}
      {diff.isFetching && !diff.data ? <Loading label="Comparing…" /> : null}
      <ErrorMessage error={diff.error} title="Could not compare the snapshots" />
      {diff.data && a !== b ? (
        <>
          <dl className="facts" data-testid="diff-counts">
            {(["added", "removed", "relabeled", "unchanged"] as const).map((kind) => (
              <div key={kind}>
                <dt>{kind[0]?.toUpperCase() + kind.slice(1)}</dt>
                <dd data-testid={`diff-${kind}`}>{formatCount(diff.data[kind])}</dd>
              </div>
            ))}
          </dl>
          <DistributionTable diff={diff.data} />
          <Samples diff={diff.data} />
        </>
      ) : null}
    </div>
  );
}
