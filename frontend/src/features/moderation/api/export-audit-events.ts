import { apiUrl } from "@/lib/api-client";

import type { AuditExportFormat, AuditFilters } from "../types";

/**
 * The address of the filtered audit log as a file. The browser downloads it (a plain link, so a
 * long log streams to disk instead of into memory); the server records the download.
 */
export function auditExportUrl({ filters, format }: { filters: AuditFilters; format: AuditExportFormat }) {
  return apiUrl("/audit/export/", { ...filters, format });
}
