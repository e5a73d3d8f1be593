import { AppealsQueue } from "@/features/moderation/components/appeals/appeals-queue";

export function ModerationAppealsRoute() {
  return <AppealsQueue />;
}
