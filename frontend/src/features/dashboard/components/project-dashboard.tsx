import "./dashboard.css";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { useDashboard } from "../api/get-dashboard";
import type { DashboardProject } from "../types";
import { AcceptanceChart } from "./acceptance-chart";
import { AdjudicationList } from "./adjudication-list";
import { AgreementSummary } from "./agreement-summary";
import { AnnotatorsTable } from "./annotators-table";
import { FlagsList } from "./flags-list";
import { SkipsList } from "./skips-list";
import { LabelDistribution } from "./label-distribution";
import { QueueDepth } from "./queue-depth";
import { ThroughputChart } from "./throughput-chart";

/**
 * How the labeling goes, for admins and ML engineers: the queue, the people, the labels, how
 * often the model's proposals are accepted, agreement, and the items that need a decision.
 */
export function ProjectDashboard({ project }: { project: DashboardProject }) {
  const dashboard = useDashboard({ projectId: project.id });

  return (
    <div className="stack" data-testid="project-dashboard">
      {dashboard.isPending ? (
        <Loading label="Loading the dashboard…" />
      ) : !dashboard.data ? (
        <ErrorMessage error={dashboard.error} title="Could not load the dashboard" />
      ) : (
        <>
          {/* A failed refresh keeps the last figures and says why they are not moving. */}
          <ErrorMessage error={dashboard.error} title="Could not refresh the dashboard" />
          <section aria-labelledby="dashboard-queue-heading" className="stack">
            <h2 id="dashboard-queue-heading">Queue</h2>
            <QueueDepth queue={dashboard.data.queue} />
          </section>
          <div className="dashboard-grid">
            <section aria-labelledby="dashboard-acceptance-heading" className="stack">
              <h2 id="dashboard-acceptance-heading">Proposals accepted</h2>
              <AcceptanceChart days={dashboard.data.acceptance_over_time} />
            </section>
            <section aria-labelledby="dashboard-throughput-heading" className="stack">
              <h2 id="dashboard-throughput-heading">Labels per day</h2>
              <ThroughputChart days={dashboard.data.throughput} />
            </section>
          </div>
          <section aria-labelledby="dashboard-annotators-heading" className="stack">
            <h2 id="dashboard-annotators-heading">Annotators</h2>
            <AnnotatorsTable annotators={dashboard.data.annotators} />
          </section>
          <div className="dashboard-grid">
            <section aria-labelledby="dashboard-agreement-heading" className="stack">
              <h2 id="dashboard-agreement-heading">Agreement</h2>
              <AgreementSummary
                agreement={dashboard.data.agreement}
                annotationsPerItem={project.annotations_per_item}
                projectId={project.id}
              />
            </section>
            <section aria-labelledby="dashboard-labels-heading" className="stack">
              <h2 id="dashboard-labels-heading">Labels given</h2>
              <LabelDistribution counts={dashboard.data.label_distribution} />
            </section>
          </div>
        </>
      )}
      <section aria-labelledby="dashboard-adjudication-heading" className="stack">
        <h2 id="dashboard-adjudication-heading">Disagreements</h2>
        <AdjudicationList project={project} />
      </section>
      <section aria-labelledby="dashboard-flags-heading" className="stack">
        <h2 id="dashboard-flags-heading">Flagged items</h2>
        <FlagsList projectId={project.id} />
      </section>
      <section aria-labelledby="dashboard-skips-heading" className="stack">
        <h2 id="dashboard-skips-heading">Skipped items</h2>
        <SkipsList projectId={project.id} />
      </section>
    </div>
  );
}
