import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { renderWithProviders } from "@/testing/test-utils";

import { policy } from "../../../testing/fixtures";
import { GrantedPlatforms } from "../granted-platforms";

describe("GrantedPlatforms", () => {
  it("lists the platforms that may use the policy", () => {
    renderWithProviders(
      <GrantedPlatforms
        policy={policy({
          granted_platforms: [
            { id: 4, name: "Riverside Forum", granted_at: "2026-01-02T10:00:00Z" },
            { id: 5, name: "Harbour Chat", granted_at: "2026-01-03T10:00:00Z" },
          ],
        })}
      />,
    );

    expect(screen.getAllByTestId("granted-platform").map((item) => item.textContent)).toEqual([
      expect.stringContaining("Riverside Forum"),
      expect.stringContaining("Harbour Chat"),
    ]);
  });

  it("says when no platform may use it yet", () => {
    renderWithProviders(<GrantedPlatforms policy={policy({ granted_platforms: [] })} />);

    expect(screen.getByTestId("granted-platforms-empty")).toHaveTextContent("No platform may send content");
  });
});
