import { useParams } from "react-router";

import { AuthorPage } from "@/features/moderation/components/authors/author-page";
import { useDocumentTitle } from "@/hooks/use-document-title";

export function ModerationAuthorRoute() {
  useDocumentTitle("Author · Moderation");
  const authorId = Number(useParams().authorId);
  return <AuthorPage key={authorId} authorId={authorId} />;
}
