import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { paths } from "@/config/paths";
import { DriftBanner } from "@/features/drift/components/drift-banner";
import { itemsQueryKey } from "@/features/items/api/get-items";
import { AutoLabelEstimate } from "@/features/models/components/auto-label-estimate";
import { LearningCurve } from "@/features/models/components/learning-curve";
import { ModelVersionsTable } from "@/features/models/components/model-versions-table";
import { TrainNowButton } from "@/features/models/components/train-now-button";
import { TrainingJobs } from "@/features/models/components/training-jobs";
import { TrainingSettingsForm } from "@/features/models/components/training-settings-form";
import type { TrainingSettings } from "@/features/models/types";
import { trainingSettingsFrom } from "@/features/models/utils/training-settings";
import { projectQueryKey, useProject } from "@/features/projects/api/get-project";
import { useUpdateProject } from "@/features/projects/api/update-project";
import { canManageData, canManageProject } from "@/features/projects/utils/permissions";

import { useProjectId } from "./use-project-id";

export function ProjectModelsRoute() {
  const projectId = useProjectId();
  const project = useProject(projectId);
  const update = useUpdateProject();
  const queryClient = useQueryClient();

  // A new model re-scores every item: the proposals and the "most informative" order change.
  const refreshItems = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: itemsQueryKey(projectId) });
    void queryClient.invalidateQueries({ queryKey: projectQueryKey(projectId) });
  }, [queryClient, projectId]);

  if (!project.data) return null;
  if (!canManageData(project.data.role)) {
    return (
      <p role="alert" className="alert alert-error">
        Your role in this project does not allow training models.
      </p>
    );
  }

  const dataType = project.data.data_type ?? "text";
  const settings = trainingSettingsFrom(project.data);

  function save(next: TrainingSettings) {
    update.mutate({ projectId, input: next });
  }

  return (
    <div className="stack">
      <DriftBanner projectId={projectId} driftHref={paths.projectDrift.href(projectId)} />
      <section aria-labelledby="training-heading" className="stack">
        <h2 id="training-heading">Training</h2>
        <TrainNowButton projectId={projectId} />
        <TrainingJobs projectId={projectId} onJobFinished={refreshItems} />
      </section>
      <section aria-labelledby="learning-curve-heading" className="stack">
        <h2 id="learning-curve-heading">Learning curve</h2>
        <LearningCurve projectId={projectId} />
      </section>
      <section aria-labelledby="model-versions-heading" className="stack">
        <h2 id="model-versions-heading">Model versions</h2>
        <ModelVersionsTable
          projectId={projectId}
          classNames={project.data.label_classes.map((labelClass) => labelClass.name)}
        />
      </section>
      <section aria-labelledby="auto-label-heading" className="stack">
        <h2 id="auto-label-heading">Automatic labels</h2>
        <AutoLabelEstimate projectId={projectId} />
      </section>
      <section aria-labelledby="training-settings-heading" className="stack">
        <h2 id="training-settings-heading">Settings</h2>
        <TrainingSettingsForm
          key={project.data.updated_at}
          initial={settings}
          dataType={dataType}
          readOnly={!canManageProject(project.data.role)}
          onSave={save}
          saving={update.isPending}
          error={update.error}
          saved={update.isSuccess}
        />
      </section>
    </div>
  );
}
