import { describe, expect, it } from "vitest";

import { auditFiltersOf, auditQueryFromParams, auditQueryToParams, localDayStart } from "../audit-query";

describe("audit query", () => {
  it("round-trips through the address bar, leaving blanks and page 1 out", () => {
    const params = new URLSearchParams("action=policy.&actor=mia&from=2026-03-01&page=3&junk=1");
    const query = auditQueryFromParams(params);
    expect(query).toMatchObject({ action: "policy.", actor: "mia", from: "2026-03-01", to: "", page: 3 });
    expect(auditQueryToParams(query).toString()).toBe("action=policy.&actor=mia&from=2026-03-01&page=3");
    expect(auditQueryToParams({ ...query, page: 1 }).has("page")).toBe(false);
  });

  it("ignores days that do not exist and pages that are not positive whole numbers", () => {
    const query = auditQueryFromParams(new URLSearchParams("from=2026-02-30&to=yesterday&page=-2"));
    expect(query).toMatchObject({ from: "", to: "", page: 1 });
    expect(localDayStart("2026-02-30")).toBeNull();
    expect(auditQueryFromParams(new URLSearchParams("page=1.5")).page).toBe(1);
  });

  it("asks the API for whole local days, the last one included", () => {
    const filters = auditFiltersOf(auditQueryFromParams(new URLSearchParams("from=2026-12-31&to=2026-12-31")));
    expect(filters.since).toBe(new Date(2026, 11, 31).toISOString());
    expect(filters.until).toBe(new Date(2027, 0, 1).toISOString());
    expect(filters.action).toBeUndefined();
  });
});
