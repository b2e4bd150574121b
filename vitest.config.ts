import { defineConfig } from 'vitest/config'

// Three projects, one per folder (see the README's Tests paragraph). `npm test` runs them all; one alone with
// `npx vitest run --project unit` (or emulator, e2e). Only e2e runs the bundle, so only e2e has the global
// set-up that rebuilds dist/ when the sources changed. Time in tests is injected (`now`/`sleep`), so the
// timeouts below are safety bounds for a stuck test, not budgets a slow machine could miss.
export default defineConfig({
  test: {
    pool: 'forks',
    // Two workers on a two-core machine: most e2e time is spent waiting on the bundle's child process and on
    // sockets, so the second worker overlaps that wait (Vitest's default would be one worker here).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['__tests__/unit/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000
        }
      },
      {
        extends: true,
        test: {
          name: 'emulator',
          include: ['__tests__/emulator/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000
        }
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['__tests__/e2e/**/*.test.ts'],
          globalSetup: ['__tests__/setup/bundle.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      }
    ]
  }
})
