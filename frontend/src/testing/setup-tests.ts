import "@testing-library/jest-dom/vitest";

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  // Tests of pure modules may run in the node environment (`// @vitest-environment node`): no DOM.
  if (typeof document === "undefined") return;
  cleanup();
  // Cookies set by one test must not leak into the next.
  for (const cookie of document.cookie.split(";")) {
    const name = cookie.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
});
