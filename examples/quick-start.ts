/**
 * Store, pin, list and read back content with an embedded node.
 *
 *   npx tsx examples/quick-start.ts [data-dir]
 *
 * Runs offline (no libp2p) so it works on any machine; drop `offline: true`
 * to serve the content to peers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createKit } from '../src/index.ts'

const dataDir = process.argv[2] ?? await mkdtemp(join(tmpdir(), 'ipfs-kit-example-'))
const kit = await createKit({ dataDir, offline: true })
try {
  // a string, stored and pinned under a filename
  const hello = await kit.storage.store('hello world', { filename: 'hello.txt', pin: true })
  console.log('hello.txt  ', hello)

  // a file on disk, streamed (never read whole into memory)
  const weights = join(dataDir, 'weights.bin')
  await writeFile(weights, new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251))
  const model = await kit.storage.store({ path: weights }, { filename: 'weights.bin', pin: true })
  console.log('weights.bin', model)

  // read back: whole, or a byte range as a stream
  console.log('retrieve   ', new TextDecoder().decode(await kit.storage.retrieve(hello)))
  let ranged = 0
  for await (const chunk of kit.storage.stream(model, { offset: 1024 * 1024 - 10, length: 20 })) ranged += chunk.byteLength
  console.log('range bytes', ranged)

  for (const file of await kit.storage.listFiles()) {
    console.log(`${file.cid}  ${String(file.size).padStart(8)}  ${file.pinned ? 'pinned' : '      '}  ${file.filename ?? ''}`)
  }
} finally {
  await kit.stop()
  if (process.argv[2] == null) await rm(dataDir, { recursive: true, force: true })
}
