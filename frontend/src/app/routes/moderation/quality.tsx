import { QualityPage } from "@/features/moderation/components/quality/quality-page";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function ModerationQualityRoute() {
  useDocumentTitle("Moderation quality");
  return <QualityPage />;
}
