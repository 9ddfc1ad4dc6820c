import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration files run three at once as well: each one's brokers use free ports and temp dirs and spend
    // most of their time waiting on sockets and disks, so three fit two cores and keep CI well under ten
    // minutes. One setting for every project.
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
          include: ['test/integration/**/*.test.ts', 'test/crash/**/*.test.ts', 'test/examples/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        // After the others: the kills, floods and fuzzing load both cores, and the tests that bound a delay's
        // lateness or a lock lease must not share the machine with them.
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
