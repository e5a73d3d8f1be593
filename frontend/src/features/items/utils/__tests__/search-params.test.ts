import { describe, expect, it } from "vitest";

import { itemFiltersFromSearchParams, itemFiltersToSearchParams } from "../search-params";

describe("item search params", () => {
  it("keeps a known ordering and drops an unknown one", () => {
    expect(itemFiltersFromSearchParams(new URLSearchParams("ordering=-priority")).filters.ordering).toBe("-priority");
    expect(itemFiltersFromSearchParams(new URLSearchParams("ordering=-id")).filters.ordering).toBeUndefined();
  });

  it("round-trips the ordering with the other filters", () => {
    const params = itemFiltersToSearchParams({ labeled: false, ordering: "-priority" }, 2);
    expect(params.toString()).toBe("labeled=false&ordering=-priority&page=2");
    expect(itemFiltersFromSearchParams(params)).toEqual({
      filters: { labeled: false, ordering: "-priority", split: undefined, source: undefined, label: undefined, search: undefined },
      page: 2,
    });
  });
});
