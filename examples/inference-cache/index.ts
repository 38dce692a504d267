/**
 * The seed plan's Example 2, a distributed inference cache: a result computed
 * once anywhere in the cluster is a hit everywhere.
 *
 *   npx tsx examples/inference-cache/index.ts ["some input text"]
 *
 * Worker A runs the (stand-in) model and caches its answer; worker B, asked
 * the same thing, gets it from A — the entry signed by A, the value fetched by
 * CID and hash-verified — without running the model. Both run in this process
 * here; in a fleet each is its own process or machine.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKit } from '../../src/index.ts'

const input = process.argv[2] ?? 'The movie was surprisingly good.'
const request = { model: 'acme/sentiment', input, params: { temperature: 0 } }

/** Stands in for a real model: slow, and counts how often it ran. */
let modelRuns = 0
async function runModel (text: string): Promise<{ label: string, score: number }> {
  modelRuns++
  await new Promise(resolve => setTimeout(resolve, 300))
  return { label: /good|great|love/i.test(text) ? 'positive' : 'negative', score: 0.93 }
}

const work = await mkdtemp(join(tmpdir(), 'ipfs-kit-inference-cache-'))
const a = await createKit({ dataDir: join(work, 'worker-a'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [] })
const b = await createKit({ dataDir: join(work, 'worker-b'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [] })
try {
  await b.dial(a.addresses()[0] as string)

  let started = performance.now()
  const first = await a.cache.cachedInference(request, async () => await runModel(input), { ttl: 3_600_000 })
  console.log(`A computed  ${JSON.stringify(first)} in ${(performance.now() - started).toFixed(0)} ms (model runs: ${modelRuns})`)

  started = performance.now()
  const second = await b.cache.cachedInference(request, async () => await runModel(input))
  console.log(`B got       ${JSON.stringify(second)} in ${(performance.now() - started).toFixed(0)} ms (model runs: ${modelRuns}, remote hits: ${b.cache.stats().remoteHits})`)

  started = performance.now()
  await b.cache.cachedInference(request, async () => await runModel(input))
  console.log(`B again     local hit in ${(performance.now() - started).toFixed(2)} ms (model runs: ${modelRuns}, hits: ${b.cache.stats().hits})`)
  console.log(`key         ${await b.cache.cacheKey(request)}`)
} finally {
  await b.stop()
  await a.stop()
  await rm(work, { recursive: true, force: true })
}
