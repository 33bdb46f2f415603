// Build and unit-test configuration for the shell chrome.
//
// base "./" keeps every asset URL relative, so the Go side can serve dist/
// from whatever path it mounts it on (Wails asset server or `serve`).
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
