import { useNavigate } from "react-router";

import { paths } from "@/config/paths";
import { ModerationQueue } from "@/features/moderation/components/queue/moderation-queue";

export function ModerationQueueRoute() {
  const navigate = useNavigate();
  return <ModerationQueue onStartReviewing={(args) => navigate(paths.moderationReview.href(args))} />;
}
