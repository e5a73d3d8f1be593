import { useMe } from "@/features/auth/api/get-me";
import { WellnessPage } from "@/features/moderation/components/wellness/wellness-page";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function ModerationWellnessRoute() {
  useDocumentTitle("Wellness");
  const me = useMe();
  return <WellnessPage isStaff={Boolean(me.data?.is_staff)} />;
}
