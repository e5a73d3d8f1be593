import { Link } from "react-router";

import { paths } from "@/config/paths";
import { formatCount, formatDecimal, formatPercent } from "@/lib/format";

import type { AgreementSummary as AgreementSummaryData } from "../types";

type AgreementSummaryProps = {
  agreement: AgreementSummaryData;
  annotationsPerItem: number;
  projectId: number;
};

/** How far annotators agree on the items more than one of them labeled. */
export function AgreementSummary({ agreement, annotationsPerItem, projectId }: AgreementSummaryProps) {
  if (agreement.items_compared === 0) {
    return (
      <p className="hint" data-testid="agreement-empty">
        {annotationsPerItem > 1 ? (
          "No item has been labeled by two people yet; agreement follows once some have."
        ) : (
          <>
            Each item is labeled by one person (annotations per item is 1), so there is no agreement to measure.
            Raise it in the{" "}
            <Link to={paths.projectSettings.href(projectId)} data-testid="agreement-settings-link">
              project settings
            </Link>{" "}
            to compare annotators.
          </>
        )}
      </p>
    );
  }
  return (
    <dl className="facts" data-testid="agreement-summary">
      <div>
        <dt>Items compared</dt>
        <dd>{formatCount(agreement.items_compared)}</dd>
      </div>
      <div>
        <dt>Annotators</dt>
        <dd>{formatCount(agreement.annotators)}</dd>
      </div>
      <div>
        <dt>Raw agreement</dt>
        <dd data-testid="agreement-percent">{formatPercent(agreement.percent_agreement)}</dd>
      </div>
      <div>
        <dt title="Two annotators, corrected for chance">Cohen's κ</dt>
        <dd data-testid="agreement-cohen">{formatDecimal(agreement.cohen_kappa, 2)}</dd>
      </div>
      <div>
        <dt title="Any number of annotators, corrected for chance">Fleiss' κ</dt>
        <dd data-testid="agreement-fleiss">{formatDecimal(agreement.fleiss_kappa, 2)}</dd>
      </div>
      <div>
        <dt title="Tolerates missing labels">Krippendorff's α</dt>
        <dd data-testid="agreement-alpha">{formatDecimal(agreement.krippendorff_alpha, 2)}</dd>
      </div>
    </dl>
  );
}
