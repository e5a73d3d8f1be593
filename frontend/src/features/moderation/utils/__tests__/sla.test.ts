import { describe, expect, it } from "vitest";

import { formatDuration, slaStatus } from "../sla";

const NOW = Date.parse("2026-03-01T12:00:00Z");

describe("slaStatus", () => {
  it("counts down to the deadline with the two largest units", () => {
    expect(slaStatus("2026-03-01T14:05:30Z", NOW)).toMatchObject({ overdue: false, text: "2h 05m left" });
    expect(slaStatus("2026-03-01T12:04:09Z", NOW)?.text).toBe("4m 09s left");
    expect(slaStatus("2026-03-04T16:00:00Z", NOW)?.text).toBe("3d 04h left");
  });

  it("is overdue from the deadline on, saying by how much", () => {
    expect(slaStatus("2026-03-01T12:00:00Z", NOW)).toMatchObject({ overdue: true, text: "overdue by 0s" });
    expect(slaStatus("2026-03-01T10:58:00Z", NOW)).toMatchObject({ overdue: true, text: "overdue by 1h 02m" });
  });

  it("has nothing to say without a valid deadline", () => {
    expect(slaStatus(null, NOW)).toBeNull();
    expect(slaStatus("not a date", NOW)).toBeNull();
  });

  it("formats short durations in seconds", () => {
    expect(formatDuration(12_400)).toBe("12s");
  });
});
