/**
 * Share a model between two workers by name, with the library.
 *
 *   npx tsx examples/distribute-model/index.ts <model-dir> [org/name]
 *
 * Worker A publishes the directory; worker B (bootstrapped to A) finds it
 * by name and pulls it into ./pulled-model and the Hugging Face cache layout
 * under ./hf-cache, then serves it to others as well. Both run in this
 * process here; in a fleet each is its own process or machine.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createKit } from '../../src/index.ts'

const [dir, name = 'acme/example-model'] = process.argv.slice(2)
if (dir == null) {
  console.error('usage: npx tsx examples/distribute-model/index.ts <model-dir> [org/name]')
  process.exit(2)
}

const work = await mkdtemp(join(tmpdir(), 'ipfs-kit-distribute-'))
const a = await createKit({ dataDir: join(work, 'worker-a'), listen: ['/ip4/127.0.0.1/tcp/0'] })
const b = await createKit({ dataDir: join(work, 'worker-b'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: a.addresses() })
try {
  const published = await a.models.publish(resolve(dir), { name })
  console.log(`A published ${name}: ${published.files} files, root ${published.root}`)

  for (const provider of await b.models.findProviders(name, { timeoutMs: 2000 })) {
    console.log(`B sees provider ${provider.peerId} (via ${provider.via}) holding ${provider.root}`)
  }

  const pulled = await b.models.pull(name, {
    dest: resolve('pulled-model'),
    hfCache: resolve('hf-cache'),
    onProgress: event => {
      if (event.type === 'models:pull:file') console.log(`  got ${event.detail.path} (${event.detail.size} bytes)`)
    }
  })
  console.log(`B pulled ${pulled.files} files (${pulled.fetchedBytes} bytes from ${pulled.providers.length} peer) into ${pulled.dest}`)
  console.log(`Hugging Face snapshot: ${pulled.hfSnapshot}  (HF_HUB_CACHE=${resolve('hf-cache')} HF_HUB_OFFLINE=1 loads it)`)
} finally {
  await b.stop()
  await a.stop()
  await rm(work, { recursive: true, force: true })
}
