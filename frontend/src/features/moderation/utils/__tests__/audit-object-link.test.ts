import { describe, expect, it } from "vitest";

import type { AuditObject } from "../../types";
import { auditObjectHref, objectTypeLabel } from "../audit-object-link";

const present = (overrides: Partial<AuditObject>): AuditObject => ({
  state: "present",
  label: "",
  page: "",
  project_id: null,
  item_id: null,
  policy_id: null,
  platform_id: null,
  ...overrides,
});

describe("auditObjectHref", () => {
  it("sends each kind of object to its page", () => {
    expect(auditObjectHref(present({ page: "project", project_id: 4 }))).toBe("/projects/4");
    expect(auditObjectHref(present({ page: "item", project_id: 4, item_id: 77 }))).toBe("/projects/4/items/77");
    expect(auditObjectHref(present({ page: "members", project_id: 4 }))).toBe("/projects/4/members");
    expect(auditObjectHref(present({ page: "models", project_id: 4 }))).toBe("/projects/4/models");
    expect(auditObjectHref(present({ page: "policy", policy_id: 3 }))).toBe("/moderation/policies/3");
    expect(auditObjectHref(present({ page: "platform", platform_id: 2 }))).toBe("/platforms/2");
    expect(auditObjectHref(present({ page: "users" }))).toBe("/users");
  });

  it("has no link for objects without a page, deleted ones, or a page missing its id", () => {
    expect(auditObjectHref(present({ page: "" }))).toBeNull();
    expect(auditObjectHref(present({ page: "item", project_id: 4 }))).toBeNull();
    expect(auditObjectHref({ ...present({ page: "project", project_id: 4 }), state: "deleted" })).toBeNull();
  });
});

describe("objectTypeLabel", () => {
  it("drops the app name", () => {
    expect(objectTypeLabel("moderation.api_key")).toBe("api key");
    expect(objectTypeLabel("thing")).toBe("thing");
  });
});
