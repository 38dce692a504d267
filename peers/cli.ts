/**
 * `npm run cluster -- --peers 5`: start a local cluster of real node
 * processes on loopback, print each peer, keep them running until Ctrl-C.
 */
import { parseArgs } from 'node:util'
import { startCluster } from './harness.ts'

const { values } = parseArgs({ options: { peers: { type: 'string', default: '3' } } })
const count = Number(values.peers)
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write('usage: npm run cluster -- --peers <n>   (n >= 1)\n')
  process.exit(2)
}
const cluster = await startCluster({ peers: count })
for (const [i, peer] of cluster.peers.entries()) {
  process.stdout.write(`peer ${i}  ${peer.peerId}  ${peer.addresses[0] ?? ''}  ${peer.dataDir}\n`)
}
process.stdout.write(`${count} peers running; Ctrl-C stops them\n`)
const stop = async (): Promise<void> => {
  await cluster.stop()
  process.exit(0)
}
process.once('SIGINT', () => { void stop() })
process.once('SIGTERM', () => { void stop() })
