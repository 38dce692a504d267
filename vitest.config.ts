import { defineConfig } from 'vitest/config'
import { childRuntime } from './peers/runtime.ts'

/** Suites that start real OS processes (nodes, the CLI, crash tests). */
const PROCESS_SUITES = ['test/cli/**/*.spec.ts', 'test/cluster/**/*.spec.ts', 'test/fault/**/*.spec.ts', 'test/examples.spec.ts', 'test/http/daemon-api.spec.ts', 'test/http/status-page.spec.ts', 'test/http/python-client.spec.ts', 'test/seeding/replication-cluster.spec.ts', 'test/seeding/pin-service.spec.ts']

/** `npm run test:coverage` (scripts/coverage.js) sets this: child processes then record V8 coverage. */
const setupFiles = process.env.IPFS_KIT_CHILD_V8_COVERAGE != null ? ['test/fixtures/child-coverage.ts'] : []

// child processes (peers, the CLI) run dist/ when it is current, else the sources through tsx
// (peers/runtime.ts says why, and checks again at every spawn)
console.log(`child processes run ${childRuntime() === 'dist' ? 'the built dist/' : 'the sources through tsx'} (peers/runtime.ts)`)

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the json report is what .ci/run counts passed and failed tests from
    reporters: ['default', 'json'],
    outputFile: { json: '.ci/results.json' },
    // used by `npm run test:coverage` (scripts/coverage.js), which adds the child processes' coverage
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['json'],
      reportsDirectory: 'coverage/in-process',
      // the figures are still worth having when a test fails; the script exits with vitest's status
      reportOnFailure: true
    },
    projects: [
      {
        test: {
          name: 'in-process',
          include: ['test/**/*.spec.ts'],
          exclude: PROCESS_SUITES,
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 }
        }
      },
      {
        test: {
          name: 'processes',
          include: PROCESS_SUITES,
          setupFiles,
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
