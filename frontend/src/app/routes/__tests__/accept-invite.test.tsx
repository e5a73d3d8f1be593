import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { jsonResponse, renderWithProviders } from "@/testing/test-utils";

import { AcceptInviteRoute } from "../accept-invite";

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}${location.hash}`}</output>;
}

function acceptServer() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
    jsonResponse({ id: 3, username: "linus", email: "", is_staff: false, is_superuser: false }),
  );
}

async function setPassword() {
  const user = userEvent.setup();
  await user.type(screen.getByTestId("invite-password"), "violet tractor umbrella 42");
  await user.type(screen.getByTestId("invite-password-confirmation"), "violet tractor umbrella 42");
  await user.click(screen.getByTestId("invite-submit"));
}

function sentBodies(fetchMock: ReturnType<typeof acceptServer>) {
  return fetchMock.mock.calls.map(([input, init]) => ({
    path: new URL(String(input), "http://localhost").pathname,
    body: JSON.parse(String(init?.body)) as unknown,
  }));
}

describe("AcceptInviteRoute", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("reads the uid and token from the link's fragment and sends them with the password", async () => {
    document.cookie = "csrftoken=test-token";
    const fetchMock = acceptServer();
    renderWithProviders(
      <>
        <AcceptInviteRoute />
        <LocationProbe />
      </>,
      { route: "/accept-invite#uid=Mw&token=cz1-abc" },
    );

    await setPassword();

    expect(await screen.findByTestId("invite-accepted")).toHaveTextContent("linus");
    expect(sentBodies(fetchMock)).toEqual([
      {
        path: "/api/v1/auth/invitations/accept/",
        body: { uid: "Mw", token: "cz1-abc", password: "violet tractor umbrella 42" },
      },
    ]);
    expect(screen.getByTestId("location")).toHaveTextContent("/accept-invite#uid=Mw&token=cz1-abc");
  });

  it("accepts a link sent with the query string and moves the token to the fragment", async () => {
    document.cookie = "csrftoken=test-token";
    const fetchMock = acceptServer();
    renderWithProviders(
      <>
        <AcceptInviteRoute />
        <LocationProbe />
      </>,
      { route: "/accept-invite?uid=Mw&token=cz1-abc" },
    );

    expect(await screen.findByTestId("location")).toHaveTextContent(/^\/accept-invite#uid=Mw&token=cz1-abc$/);
    await setPassword();

    expect(await screen.findByTestId("invite-accepted")).toBeInTheDocument();
    expect(sentBodies(fetchMock)[0]?.body).toMatchObject({ uid: "Mw", token: "cz1-abc" });
  });

  it("says the link is incomplete and sends nothing without a token", () => {
    const fetchMock = acceptServer();
    renderWithProviders(<AcceptInviteRoute />, { route: "/accept-invite#uid=Mw" });

    expect(screen.getByTestId("invite-incomplete")).toBeInTheDocument();
    expect(screen.queryByTestId("invite-password")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
