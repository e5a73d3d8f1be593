import { apiUrl } from "@/lib/api-client";

import type { ExportOptions } from "../types";

/**
 * The export is a streamed file download, not JSON: the browser fetches it through a plain link
 * (the session cookie authenticates it, Content-Disposition names the file), so large projects
 * never pass through JavaScript memory. This builds that link.
 */
export function exportUrl(projectId: number, { format, source, labeledOnly }: ExportOptions): string {
  return apiUrl(`/projects/${projectId}/export/`, {
    format,
    source,
    labeled_only: labeledOnly ? "true" : undefined,
  });
}
