import { describe, expect, it } from "vitest";

import { invitationFragment, readInvitation } from "../invitation-link";

describe("readInvitation", () => {
  it("reads the uid and token from the fragment", () => {
    expect(readInvitation("#uid=Mw&token=cz1-abc", "")).toEqual({ uid: "Mw", token: "cz1-abc", fromQuery: false });
  });

  it("still reads links sent with the query string, and says so", () => {
    expect(readInvitation("", "?uid=Mw&token=cz1-abc")).toEqual({ uid: "Mw", token: "cz1-abc", fromQuery: true });
  });

  it("prefers the fragment when a link has both", () => {
    expect(readInvitation("#uid=Mw&token=new", "?uid=Mw&token=old")).toMatchObject({ token: "new", fromQuery: false });
  });

  it.each([
    ["", ""],
    ["#uid=Mw", ""],
    ["#token=x", "?uid=Mw"],
  ])("gives nothing usable for an incomplete link (%s %s)", (hash, search) => {
    const { uid, token } = readInvitation(hash, search);
    expect(Boolean(uid && token)).toBe(false);
  });

  it("round-trips through the fragment it writes", () => {
    const fragment = invitationFragment("Mw", "cz1-a+b/c=");
    expect(readInvitation(`#${fragment}`, "")).toEqual({ uid: "Mw", token: "cz1-a+b/c=", fromQuery: false });
  });
});
