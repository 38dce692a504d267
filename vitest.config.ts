import { defineConfig } from 'vitest/config'

/** Suites that start real OS processes (nodes, the CLI, crash tests). */
const PROCESS_SUITES = ['test/cli/**/*.spec.ts', 'test/cluster/**/*.spec.ts', 'test/fault/**/*.spec.ts', 'test/examples.spec.ts', 'test/http/daemon-api.spec.ts', 'test/http/status-page.spec.ts', 'test/http/python-client.spec.ts']

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the json report is what .ci/run counts passed and failed tests from
    reporters: ['default', 'json'],
    outputFile: { json: '.ci/results.json' },
    projects: [
      {
        test: {
          name: 'in-process',
          include: ['test/**/*.spec.ts'],
          exclude: PROCESS_SUITES,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 }
        }
      },
      {
        test: {
          name: 'processes',
          include: PROCESS_SUITES,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // each of these files runs several node processes on a 2-core machine: one file at a
          // time keeps their timing (failover, kill points) from depending on the others' load
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
