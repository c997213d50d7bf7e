import { defineConfig } from 'vitest/config';

// The browser tests: headless Chromium against a running DTS stack (see e2e/support.ts). One file
// at a time and one test at a time, so that a slow machine does not time them out; each test has
// its own user and its own browser context, so their order does not matter.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
