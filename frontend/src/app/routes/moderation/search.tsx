import { ContentSearch } from "@/features/moderation/components/search/content-search";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function ModerationSearchRoute() {
  useDocumentTitle("Search · Moderation");
  return <ContentSearch />;
}
