import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Every test file starts its own lakegres; files run in parallel worker processes.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
