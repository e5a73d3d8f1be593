import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { useLearningCurve } from "../api/get-learning-curve";
import { LearningCurveChart } from "./learning-curve-chart";

/** The project's learning curve, loaded and drawn. */
export function LearningCurve({ projectId }: { projectId: number }) {
  const curve = useLearningCurve({ projectId });
  if (curve.isPending) return <Loading label="Loading the learning curve…" />;
  if (!curve.data) return <ErrorMessage error={curve.error} title="Could not load the learning curve" />;
  return <LearningCurveChart points={curve.data.points} />;
}
