import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration files run three at once as well: each one's brokers use free ports and temp dirs and spend
    // most of their time waiting on sockets and disks, so three fit two cores and keep CI well under ten
    // minutes. One setting for both projects, so that they share the pool and overlap.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/marbles/**/*.test.ts', 'examples/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/crash/**/*.test.ts',
            'test/reliability/**/*.test.ts',
            'test/examples/**/*.test.ts',
          ],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
