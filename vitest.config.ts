import { defineConfig } from 'vitest/config';

// Tests start real PostgreSQL, Prometheus and Alertmanager processes; on a loaded 2-core machine
// they need generous deadlines, and files run in parallel only as far as the cores allow.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.tools/**', '.data/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
