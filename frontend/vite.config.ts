import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Django serves the built files from frontend/dist under /static/ and index.html for every
// non-API path; in development Vite serves the app at / and forwards API requests (stored files
// too: they are fetched through the API, never from a public path).
const backend = "http://127.0.0.1:8000";

export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/" : "/",
  plugins: [react()],
  resolve: {
    alias: { "@": "/src" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/api": backend,
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/testing/setup-tests.ts"],
    css: false,
    restoreMocks: true,
  },
}));
