import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // cluster and fault tests start real processes; two cores do not gain from more workers
    maxWorkers: 2,
    // the json report is what .ci/run counts passed and failed tests from
    reporters: ['default', 'json'],
    outputFile: { json: '.ci/results.json' }
  }
})
