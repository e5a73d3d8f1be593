import type { AnnotationSource, ItemFilters, ItemOrdering, Split } from "../types";
import { ORDERING_LABELS, SOURCE_LABELS, SPLIT_LABELS } from "../types";

function oneOf<T extends string>(value: string | null, allowed: Record<T, string>): T | undefined {
  return value !== null && Object.hasOwn(allowed, value) ? (value as T) : undefined;
}

/** Filters and page kept in the address bar, so a filtered view can be reloaded and shared. */
export function itemFiltersFromSearchParams(params: URLSearchParams): { filters: ItemFilters; page: number } {
  const labeled = params.get("labeled");
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  const filters: ItemFilters = {
    split: oneOf<Split>(params.get("split"), SPLIT_LABELS),
    source: oneOf<AnnotationSource>(params.get("source"), SOURCE_LABELS),
    labeled: labeled === "true" ? true : labeled === "false" ? false : undefined,
    label: params.get("label") || undefined,
    search: params.get("search") || undefined,
    ordering: oneOf<ItemOrdering>(params.get("ordering"), ORDERING_LABELS),
  };
  return { filters, page: Number.isFinite(page) && page > 0 ? page : 1 };
}

export function itemFiltersToSearchParams(filters: ItemFilters, page = 1): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  if (page > 1) params.set("page", String(page));
  return params;
}
