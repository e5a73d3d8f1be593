/**
 * The envelope every list endpoint returns (DRF page-number pagination).
 *
 * The list views paginate by hand, so the generated schema describes their responses as plain
 * arrays; this type is the shape that actually comes back.
 */
export type Paginated<T> = {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
};

export const DEFAULT_PAGE_SIZE = 50;
