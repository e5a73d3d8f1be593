import { useId, useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
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

function labelsText(labels: readonly string[] | null | undefined): string {
  return labels?.length ? labels.join(", ") : "no label";
}

function DistributionTable({ diff }: { diff: Diff }) {
  const a = diff.distribution.a;
  const b = diff.distribution.b;
  // The classes in the order the server gives them (the project's), then any others.
  const classes = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return (
    <div className="table-scroll">
      <table className="table table-compact diff-distribution" data-testid="diff-distribution">
        <caption>Label distribution</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="numeric">
              #{diff.a.number}
            </th>
            <th scope="col" className="numeric">
              #{diff.b.number}
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

/** One sample: its id, and the label it had → has (relabeled), has (added) or had (removed). */
function SampleLabels({ kind, sample }: { kind: (typeof KINDS)[number]["key"]; sample: DiffSample }) {
  if (kind === "relabeled") {
    return (
      <span>
        <bdi>{labelsText(sample.before)}</bdi> → <bdi>{labelsText(sample.after)}</bdi>
      </span>
    );
  }
  return <bdi>{labelsText(kind === "added" ? sample.after : sample.before)}</bdi>;
}

/** Long external ids (content hashes, say) cut to their start; the whole id in the title. */
function shortId(id: string): string {
  return id.length > 28 ? `${id.slice(0, 24)}…` : id;
}

/** How many samples of a kind show before "Show all". */
export const SAMPLES_SHOWN = 10;

function SampleList({ projectId, kind, diff }: { projectId: number; kind: (typeof KINDS)[number]; diff: Diff }) {
  const [all, setAll] = useState(false);
  const { count, sample = [] } = diff[kind.key];
  if (!sample.length) return null;
  const shown = all ? sample : sample.slice(0, SAMPLES_SHOWN);
  return (
    <section className="stack" data-testid={`diff-samples-${kind.key}`}>
      <h4>
        {kind.label}: {formatCount(count)}
        {sample.length < count ? <span className="hint"> (a sample of {formatCount(sample.length)})</span> : null}
      </h4>
      <ul className="plain-list diff-sample-list">
        {shown.map((item) => (
          <li key={item.id} data-testid="diff-sample">
            <Link to={paths.projectItem.href(projectId, item.id)} title={item.external_id || undefined}>
              <bdi>{item.external_id ? shortId(item.external_id) : `item ${item.id}`}</bdi>
            </Link>{" "}
            <SampleLabels kind={kind.key} sample={item} />
          </li>
        ))}
      </ul>
      {sample.length > SAMPLES_SHOWN ? (
        <p>
          <button type="button" className="btn btn-small" onClick={() => setAll(!all)}>
            {all ? "Show fewer" : `Show all ${formatCount(sample.length)} examples`}
          </button>
        </p>
      ) : null}
    </section>
  );
}

function Samples({ projectId, diff }: { projectId: number; diff: Diff }) {
  return (
    <div className="diff-samples">
      {KINDS.map((kind) => (
        <SampleList key={kind.key} projectId={projectId} kind={kind} diff={diff} />
      ))}
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
          <p className="hint">
            From #{diff.data.a.number} ({formatCount(diff.data.a.items)} items) to #{diff.data.b.number} (
            {formatCount(diff.data.b.items)} items).
          </p>
          <dl className="facts" data-testid="diff-counts">
            {[...KINDS, { key: "unchanged", label: "Unchanged" } as const].map(({ key, label }) => (
              <div key={key}>
                <dt>{label}</dt>
                <dd data-testid={`diff-${key}`}>{formatCount(diff.data[key].count)}</dd>
              </div>
            ))}
          </dl>
          <DistributionTable diff={diff.data} />
          <Samples projectId={projectId} diff={diff.data} />
        </>
      ) : null}
    </div>
  );
}
