import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { paths } from "@/config/paths";
import { formatCount, formatDateTime, formatPercent } from "@/lib/format";

import { useLabelQuality } from "../api/get-label-quality";

/** Estimated label-error rate per class and the share of each annotator's labels flagged. */
export function LabelErrorRates({ projectId }: { projectId: number }) {
  const quality = useLabelQuality(projectId);
  if (quality.isPending) return <Loading label="Loading label quality…" />;
  if (!quality.data) return <ErrorMessage error={quality.error} title="Could not load label quality" />;
  const data = quality.data;
  if (data.per_class.length === 0) {
    return (
      <p className="hint" data-testid="label-error-rates-empty">
        Not measured yet. Find suspect labels from{" "}
        <Link to={paths.projectSuspectLabels.href(projectId)}>Review suspect labels</Link> once people have labeled
        at least 5 items in each of two classes.
      </p>
    );
  }
  return (
    <div className="stack" data-testid="label-error-rates">
      <p>
        Estimated label-error rate {formatPercent(data.estimated_error_rate)} over {formatCount(data.judged)} people's
        labels ({formatDateTime(data.finished_at)}).{" "}
        <Link to={paths.projectSuspectLabels.href(projectId)}>Review suspect labels</Link>
      </p>
      <div className="row">
        <table className="table table-compact" data-testid="label-error-rates-classes">
          <caption>Per class</caption>
          <thead>
            <tr>
              <th scope="col">Given label</th>
              <th scope="col">Labels</th>
              <th scope="col">Suspects</th>
              <th scope="col">Est. error rate</th>
            </tr>
          </thead>
          <tbody>
            {data.per_class.map((row) => (
              <tr key={row.label}>
                <th scope="row">
                  <bdi>{row.label}</bdi>
                </th>
                <td>{formatCount(row.labels)}</td>
                <td>{formatCount(row.suspects)}</td>
                <td>{formatPercent(row.estimated_error_rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table table-compact" data-testid="label-error-rates-annotators">
          <caption>Per annotator</caption>
          <thead>
            <tr>
              <th scope="col">Annotator</th>
              <th scope="col">Labels</th>
              <th scope="col">Flagged</th>
              <th scope="col">Share flagged</th>
            </tr>
          </thead>
          <tbody>
            {data.per_annotator.length === 0 ? (
              <tr>
                <td colSpan={4} className="hint">
                  No label is attributed to a person.
                </td>
              </tr>
            ) : (
              data.per_annotator.map((row) => (
                <tr key={`${row.annotator_id ?? "import"}-${row.annotator}`}>
                  <th scope="row">
                    <bdi>{row.annotator}</bdi>
                  </th>
                  <td>{formatCount(row.labels)}</td>
                  <td>{formatCount(row.flagged)}</td>
                  <td>{formatPercent(row.flagged_share)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
