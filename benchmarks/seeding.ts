/**
 * `npm run bench:seeding`: how fast does the cluster reach and restore a replication factor, and
 * what does it move? N node processes on loopback (default 10), all connected:
 *
 *   0. baseline: one member pins the root (fetching it from the origin), no replication;
 *   1. time until a `--replicas 3` root has 3 holders (origin included);
 *   2. a replica holder SIGKILLed: time until 3 live holders again (after `repin_grace`), and the
 *      bytes the transfer protocol moved for it (goal ≤ 1.1 × the root);
 *   3. a holder down and back within the grace: bytes moved (goal 0);
 *   4. a root read twice on 3 members: where it ends up auto-pinned (goal: those 3, nowhere else).
 *
 *   npm run bench:seeding
 *   npm run bench:seeding -- --peers 5 --mib 16 --grace 10s
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startPeer } from '../peers/harness.ts'
import { parseDuration } from '../src/config/index.ts'
import { writeRandomFile } from '../test/fixtures/random-file.ts'
import { machine, writeResults } from './lib/results.ts'
import { fmt, fmtBytes, fmtRatio, markdownTable } from './lib/table.ts'
import { withTempDir } from './lib/temp-dir.ts'
import type { Peer } from '../peers/harness.ts'

const { values: opts } = parseArgs({ options: { peers: { type: 'string', default: '10' }, mib: { type: 'string', default: '64' }, grace: { type: 'string', default: '15s' } } })
const PEERS = Number(opts.peers)
const BYTES = Number(opts.mib) * 1024 * 1024
const GRACE = opts.grace as string
const SEEDING = { accept_replicas: true, heartbeat_interval: '500ms', repin_grace: GRACE, auto_pin_reads: 2, auto_pin_window: '1m' }
const MiB = 1024 * 1024

async function until (check: () => Promise<boolean>, what: string, deadlineMs = 300_000): Promise<number> {
  const started = performance.now()
  while (!await check()) {
    if (performance.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await sleep(100)
  }
  return performance.now() - started
}

await withTempDir('ipfs-kit-bench-seeding-', async dir => {
  const live = new Set<Peer>()
  const start = async (dataDir: string): Promise<Peer> => {
    const peer = await startPeer({ dataDir, seeding: SEEDING })
    live.add(peer)
    return peer
  }
  const mesh = async (peer: Peer): Promise<void> => {
    for (const other of live) if (other !== peer) await peer.call('dial', { address: other.addresses[0] as string })
  }
  const holders = async (cid: string): Promise<string[]> => {
    const out: string[] = []
    await Promise.all([...live].map(async p => { if ((await p.call('pinLs', {}, { timeoutMs: 10_000 }).catch(() => [])).some(x => x.cid === cid)) out.push(p.peerId) }))
    return out
  }
  /** Transfer bytes sent by the live peers but `except` (a peer about to go down takes its counter with it). */
  const sent = async (except?: Peer): Promise<number> => (await Promise.all([...live].filter(p => p !== except).map(async p => await p.call('transferSent', {})))).reduce((a, b) => a + b, 0)
  try {
    const dirs = await Promise.all(Array.from({ length: PEERS }, async (_, i) => { const d = join(dir, `n${i}`); await mkdir(d, { mode: 0o700 }); return d }))
    const peers: Peer[] = []
    for (let i = 0; i < dirs.length; i += 3) peers.push(...await Promise.all(dirs.slice(i, i + 3).map(start)))
    for (const p of peers.slice(1)) await mesh(p)
    const [origin, plain] = peers as [Peer, Peer]

    const baseFile = join(dir, 'base.bin')
    await writeRandomFile(baseFile, BYTES)
    const base = await origin.call('store', { path: baseFile, pin: true })
    let t = performance.now()
    await plain.call('pin', { cid: base }, { timeoutMs: 300_000 })
    const baselineMs = performance.now() - t

    const file = join(dir, 'root.bin')
    await writeRandomFile(file, BYTES + 1)
    const cid = await origin.call('store', { path: file, pin: true })
    t = performance.now()
    await origin.call('pinReplicas', { cid, replicas: '3' })
    await until(async () => (await holders(cid)).length === 3, 'rf 3')
    const reachMs = performance.now() - t
    const first = await holders(cid)
    const replicaHolders = peers.filter(p => p !== origin && first.includes(p.peerId))

    // 3. down and back within the grace
    const back = replicaHolders[0] as Peer
    console.log(`${new Date().toISOString()} reached 3 holders; restarting ${back.peerId} within the grace`)
    let before = await sent(back)
    await back.kill()
    live.delete(back)
    const downAt = performance.now()
    const restarted = await start(back.dataDir)
    await mesh(restarted)
    const downMs = performance.now() - downAt
    await sleep((parseDuration(GRACE) ?? 0) + 3000) // past the grace: a re-allocation would have happened by now
    const blipBytes = (await sent()) - before // the restarted peer's counter starts at 0

    // 2. a holder dies for good (from exactly 3 holders: more would make the repair look free)
    const beforeKill = await holders(cid)
    const spec = (await origin.call('replicationLs', {})).find(r => r.cid === cid)
    console.log(`before the kill: ${beforeKill.length} holders, origin sees ${spec?.holders.length ?? 0} (${spec?.state ?? 'unknown'})`)
    const dead = replicaHolders[1] as Peer
    console.log(`${new Date().toISOString()} killing ${dead.peerId}`)
    before = await sent(dead)
    await dead.kill()
    live.delete(dead)
    const repairMs = await until(async () => (await holders(cid)).length === 3, 'rf 3 again')
    const repairBytes = (await sent()) - before

    // 4. hot on 3 members
    const hotFile = join(dir, 'hot.bin')
    await writeFile(hotFile, Buffer.alloc(MiB, 7))
    const hot = await origin.call('store', { path: hotFile, pin: true })
    const readers = [...live].filter(p => p !== origin).slice(0, 3)
    for (const r of readers) for (let i = 0; i < 2; i++) await r.call('retrieveToFile', { cid: hot, path: join(dir, `hot-${r.peerId}-${i}`) })
    await sleep(2000)
    const autoPinned = (await holders(hot)).filter(p => p !== origin.peerId).sort()
    const autoOk = autoPinned.join() === readers.map(r => r.peerId).sort().join()

    const rows = [
      ['baseline: one member pins the root (no replication)', `${fmt(baselineMs / 1000)} s`, '1.00×', ''],
      ['--replicas 3 reaches 3 holders', `${fmt(reachMs / 1000)} s`, fmtRatio(reachMs / baselineMs), ''],
      [`holder SIGKILLed → 3 live again (grace ${GRACE})`, `${fmt(repairMs / 1000)} s`, fmtRatio(repairMs / baselineMs), `${fmtBytes(repairBytes)} = ${fmt(repairBytes / BYTES)}× the root (goal ≤ 1.1×)`],
      [`holder down and back (${fmt(downMs / 1000)} s down${downMs > (parseDuration(GRACE) ?? 0) ? ': longer than the grace, so not a blip: raise --grace' : ''})`, '', '', `${fmtBytes(blipBytes)} moved (goal 0)`],
      ['root read twice on 3 members', '', '', autoOk ? 'auto-pinned on those 3 only' : `auto-pinned on ${autoPinned.length}: ${autoPinned.join(', ')}`]
    ]
    console.log(`\n${PEERS} node processes on loopback, ${fmtBytes(BYTES)} root\n`)
    console.log(markdownTable(['case', 'time', 'vs baseline', 'bytes / result'], rows, ['left', 'right', 'right', 'left']))
    console.log(`\nreproduce: npm run bench:seeding -- --peers ${PEERS} --mib ${BYTES / MiB} --grace ${GRACE}`)
    await writeResults('seeding', { machine: machine(), peers: PEERS, bytes: BYTES, grace: GRACE, baselineMs, reachMs, repairMs, repairBytes, blipBytes, downMs, autoPinned, autoOk })
  } finally {
    await Promise.all([...live].map(async p => { await p.stop() }))
  }
})
