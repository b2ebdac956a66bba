import { defineConfig } from 'vitest/config';

/**
 * Test tiers by suffix: `*.test.ts` pure (no I/O, parallel); `*.int.test.ts` against local servers;
 * `*.e2e.test.ts` against the running local stack over HTTP. The last two share one stack started in
 * globalSetup and run one file at a time (2-core machines).
 */
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
