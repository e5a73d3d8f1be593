import { useSearchParams } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { Pagination } from "@/components/ui/pagination";
import { DEFAULT_PAGE_SIZE } from "@/types/pagination";

import { useItems } from "../api/get-items";
import type { Item, ItemFilters } from "../types";
import { itemFiltersFromSearchParams, itemFiltersToSearchParams } from "../utils/search-params";
import { ItemFiltersForm } from "./item-filters";
import { ItemsTable } from "./items-table";

type ItemsBrowserProps = {
  projectId: number;
  labelNames: string[];
  itemHref: (item: Item) => string;
};

export function ItemsBrowser({ projectId, labelNames, itemHref }: ItemsBrowserProps) {
  const [searchParams, setSearchParams] = useSearchParams();
  const { filters, page } = itemFiltersFromSearchParams(searchParams);
  const items = useItems({ projectId, filters, page });

  function changeFilters(next: ItemFilters) {
    setSearchParams(itemFiltersToSearchParams(next, 1));
  }

  function changePage(next: number) {
    setSearchParams(itemFiltersToSearchParams(filters, next));
  }

  return (
    <div className="stack">
      <ItemFiltersForm
        // Remount when the address changes from outside (back button) so the search box follows.
        key={filters.search ?? ""}
        filters={filters}
        labelNames={labelNames}
        onChange={changeFilters}
      />
      <ErrorMessage error={items.error} title="Could not load the items" />
      {items.isPending ? <Loading label="Loading items…" /> : null}
      {items.data ? (
        <div aria-busy={items.isFetching} className={items.isPlaceholderData ? "stale" : undefined}>
          <p data-testid="items-count" className="hint">
            {items.data.count.toLocaleString()} matching items
          </p>
          <ItemsTable items={items.data.results} itemHref={itemHref} />
          <Pagination
            page={page}
            pageSize={DEFAULT_PAGE_SIZE}
            count={items.data.count}
            onPageChange={changePage}
            label="Item pages"
          />
        </div>
      ) : null}
    </div>
  );
}
