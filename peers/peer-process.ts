/**
 * One cluster peer: a real OS process running an ipfs-kit node, driven by the
 * harness over stdin/stdout JSON lines (peers/protocol.ts).
 *
 * Usage: tsx peers/peer-process.ts '<json PeerProcessInit>'
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0 } from '../src/constants.ts'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createKit } from '../src/index.ts'
import { cpuMs, errorShape, send, serveRequests } from './line-server.ts'
import { forgeModels } from './forged-models.ts'
import { lieAboutBlocks } from './lying-server.ts'
import { forgeCacheEntries } from './forged-cache.ts'
import type { Handler } from './line-server.ts'
import type { Operations } from './protocol.ts'
import type { Kit, KitOptions } from '../src/index.ts'

export interface PeerProcessInit {
  dataDir: string
  listen: string[]
  bootstrap: string[]
  configFile?: string
  /** Run without libp2p (for tests of the store alone, e.g. crash tests). */
  offline?: boolean
}

type Handlers = { [O in keyof Operations]: (args: Operations[O]['args'], progress: (type: string, detail: unknown) => void) => Promise<Operations[O]['result']> }

function handlers (kit: Kit): Handlers {
  return {
    store: async ({ path, filename, pin }) => await kit.storage.store({ path }, { filename, pin }),
    retrieveToFile: async ({ cid, path }) => {
      const out = createWriteStream(path)
      const hash = createHash('sha256')
      let bytes = 0
      for await (const chunk of kit.storage.stream(cid)) {
        hash.update(chunk)
        bytes += chunk.byteLength
        if (!out.write(chunk)) await once(out, 'drain')
      }
      out.end()
      await once(out, 'finish')
      return { bytes, sha256: hash.digest('hex') }
    },
    pin: async ({ cid }) => await kit.storage.pin(cid),
    gc: async () => await kit.storage.gc(),
    modelPublish: async ({ dir, name, revision }) => {
      const { root, files, bytes } = await kit.models.publish(dir, { name, revision })
      return { root, files, bytes }
    },
    modelPull: async ({ name, revision, dest, blockTimeoutMs, findTimeoutMs, manifestTimeoutMs, progress }, report) => {
      const onProgress = progress === true ? (event: { type: string, detail: unknown }) => { report(event.type, event.detail) } : undefined
      const { root, files, bytes, fetchedBytes, providers } = await kit.models.pull(name, { revision, dest, blockTimeoutMs, findTimeoutMs, manifestTimeoutMs, onProgress })
      return { root, files, bytes, fetchedBytes, providers }
    },
    datasetPublish: async ({ dir, name, revision, shardSize }) => {
      const { root, shards, bytes } = await kit.datasets.publish(dir, { name, revision, shardSize })
      return { root, shards, bytes }
    },
    datasetPull: async ({ name, rank, world, group, memberGraceMs, dest, blockTimeoutMs, findTimeoutMs, manifestTimeoutMs, progress }, report) => {
      const onProgress = progress === true ? (event: { type: string, detail: unknown }) => { report(event.type, event.detail) } : undefined
      const { root, shards, bytes, fetchedBytes, providers, members } = await kit.datasets.pull(name, { rank, world, group, memberGraceMs, dest, blockTimeoutMs, findTimeoutMs, manifestTimeoutMs, onProgress })
      return { root, shards, bytes, fetchedBytes, providers, members }
    },
    datasetFirstItem: async ({ name, rank, world, manifestTimeoutMs }) => {
      const started = performance.now()
      for await (const item of kit.datasets.stream(name, { rank, world, manifestTimeoutMs })) return { ms: performance.now() - started, path: item.path }
      throw new Error(`rank ${rank} of ${world} has no shards`)
    },
    datasetPlan: async ({ name, rank, world }) => {
      const { root, shards, bytes } = await kit.datasets.plan(name, { rank, world })
      return { root, shards: shards.map(({ path, size, cid }) => ({ path, size, cid })), bytes }
    },
    modelProviders: async ({ name, revision, timeoutMs, sources }) => {
      return (await kit.models.findProviders(name, { revision, timeoutMs, sources })).map(p => ({ peerId: p.peerId, root: p.root, via: p.via, publisher: p.publisher, trusted: p.trusted, yanked: p.yanked, error: p.error }))
    },
    publisher: async () => kit.publisher,
    modelTrust: async ({ org, publisher }) => await kit.models.trust(org, publisher),
    modelYank: async ({ name, revision }) => ({ root: (await kit.models.yank(name, { revision })).root }),
    forgeModels: async ({ models, entries }) => {
      await forgeModels(kit, models, entries)
      return true
    },
    modelFirstProvider: async ({ name, timeoutMs, sources }) => {
      const started = performance.now()
      for await (const p of kit.models.findProvidersStream(name, { timeoutMs, sources })) return { ms: performance.now() - started, via: p.via }
      return { ms: null, via: null }
    },
    cidFirstProvider: async ({ cid, timeoutMs }) => {
      const started = performance.now()
      const self = kit.peerId.toString()
      const signal = AbortSignal.timeout(timeoutMs ?? 10_000)
      try {
        for await (const p of kit.findProviders(cid, { signal })) if (p.peerId !== self) return { ms: performance.now() - started }
      } catch (err) {
        if (!signal.aborted) throw err
      }
      return { ms: null }
    },
    modelPreheat: async ({ name, peers, tags, kind }) => await kit.seeding.preheat(name, { peers, tags, kind }),
    pinReplicas: async ({ cid, replicas }) => await kit.storage.pin(cid, { replicas }),
    unpin: async ({ cid }) => await kit.storage.unpin(cid),
    replicationLs: async () => kit.seeding.replications(),
    pinLs: async () => {
      const out: Array<{ cid: string, origins: string[] }> = []
      for await (const pin of kit.storage.pins()) out.push({ cid: pin.cid, origins: pin.origins })
      return out
    },
    cidProviders: async ({ cid, timeoutMs }) => {
      const self = kit.peerId.toString()
      const signal = AbortSignal.timeout(timeoutMs ?? 10_000)
      const found = new Set<string>()
      try {
        for await (const p of kit.findProviders(cid, { signal })) if (p.peerId !== self) found.add(p.peerId)
      } catch (err) {
        if (!signal.aborted) throw err
      }
      return [...found].sort()
    },
    lie: async () => {
      await lieAboutBlocks(kit)
      return true
    },
    transferSent: async () => {
      const series = await kit.telemetry.registry.getSingleMetric('libp2p_data_transfer_bytes_total')?.get()
      // both versions (1.1.0 and 1.0.0): what the peer sent whichever its requesters spoke
      return [TRANSFER_PROTOCOL, TRANSFER_PROTOCOL_1_0].reduce((n, id) => n + (series?.values.find(v => v.labels.protocol === `${id} sent`)?.value ?? 0), 0)
    },
    transferActive: async () => Object.fromEntries(kit.transfer?.active() ?? []),
    transferThrottled: async () => kit.transfer?.throttledPeers() ?? 0,
    transferAnnounced: async ({ peer }) => kit.transfer?.announcedBy(peer) ?? [],
    cachePut: async ({ key, value, ttlMs }) => await kit.cache.put(key, value, { ttl: ttlMs }),
    cacheGet: async ({ key, timeoutMs }) => {
      const value = await kit.cache.get(key, { timeoutMs })
      return value == null ? null : new TextDecoder().decode(value)
    },
    cacheStats: async () => kit.cache.stats(),
    cacheList: async () => await kit.cache.list(),
    cacheSweep: async () => await kit.cache.sweep(),
    cacheIgnored: async () => kit.cache.ignoredPeers(),
    cacheForge: async ({ cid, size, forgedCid, inline }) => {
      await forgeCacheEntries(kit, cid, size, forgedCid, inline === true)
      return true
    },
    cacheSharing: async () => kit.cache.sharingStats(),
    exists: async ({ cid }) => await kit.storage.exists(cid),
    rss: async () => ({ peak: process.resourceUsage().maxRSS * 1024, now: process.memoryUsage.rss(), cpuMs: cpuMs() }),
    heap: async () => {
      setFlagsFromString('--expose-gc')
      const gc = runInNewContext('gc') as () => void
      gc()
      gc()
      return process.memoryUsage().heapUsed
    },
    peers: async () => kit.libp2p?.getPeers().map(p => p.toString()) ?? [],
    protocols: async () => kit.protocols(),
    dial: async ({ address }) => {
      const { multiaddr } = await import('@multiformats/multiaddr')
      await kit.libp2p?.dial(multiaddr(address))
      return true
    },
    stop: async () => {
      await kit.stop()
      setImmediate(() => process.exit(0))
      return true
    }
  }
}

async function main (): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as PeerProcessInit
  const options: KitOptions = { dataDir: init.dataDir, listen: init.listen, bootstrap: init.bootstrap, configFile: init.configFile, offline: init.offline }
  let kit: Kit
  try {
    kit = await createKit(options)
  } catch (err) {
    send({ event: 'error', error: errorShape(err) })
    process.exit(1)
  }
  send({ event: 'ready', peerId: kit.peerId.toString(), addresses: kit.addresses(), dataDir: kit.dataDir, pid: process.pid })
  await serveRequests(handlers(kit) as Record<string, Handler>)
  // stdin closed: the harness is gone
  await kit.stop()
  process.exit(0)
}

await main()
