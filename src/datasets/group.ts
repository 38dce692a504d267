/**
 * Elastic groups: `pull(name, { group })`. Members announce themselves on the
 * group's gossip topic (signed by their peer id, believed only for the
 * signer) every DATASETS_MEMBER_INTERVAL_MS. The plan is made over the live
 * members' peer ids; a member not heard for `memberGraceMs` is gone, the plan
 * is made again over those left, and its shards go to the others (those
 * already pulled stay). A member that has its share says so (`done`, with the
 * member set it is done for) and keeps announcing until every live member is
 * done for the same set, so a member that dies late still has its share taken over.
 */
import { createHash } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { DATASETS_GROUP_TOPIC_PREFIX, DATASETS_MAX_MEMBERS, DATASETS_MEMBER_INTERVAL_MS } from '../constants.ts'
import { OfflineError } from '../errors.ts'
import { assignShards } from './plan.ts'
import type { Manifest, ManifestFile } from '../named/index.ts'
import type { DatasetPullOptions, DatasetPullResult } from './types.ts'
import type { CID } from 'multiformats/cid'
import type { AbortOptions, Libp2p } from '@libp2p/interface'
import { CustomProgressEvent } from 'progress-events'

const log = logger('ipfs-kit:datasets:group')
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface GroupComponents {
  libp2p?: Libp2p
  resolve(options: AbortOptions): Promise<{ root: CID, revision: string, manifest: Manifest }>
  /** Pull the shards `select` picks (pinned, recorded, announced). */
  pullShards(select: (manifest: Manifest) => ManifestFile[], options: AbortOptions): Promise<DatasetPullResult>
}

interface Presence {
  v: 1
  peerId: string
  root: string
  /** Hash of the sorted member set this member holds its whole share of; absent while working. */
  done?: string
}

interface PubSub {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data?: Uint8Array): Promise<unknown>
  addEventListener(type: 'message', listener: (evt: CustomEvent<any>) => void): void
  removeEventListener(type: 'message', listener: (evt: CustomEvent<any>) => void): void
}

/** The gossip topic of a group of a dataset. */
export function groupTopic (name: string, group: string): string {
  return `${DATASETS_GROUP_TOPIC_PREFIX}${name}/${group}`
}

export async function joinGroup (c: GroupComponents, name: string, group: string, options: DatasetPullOptions & { memberGraceMs: number }): Promise<DatasetPullResult> {
  const libp2p = c.libp2p
  const pubsub = (libp2p?.services as { pubsub?: PubSub } | undefined)?.pubsub
  if (libp2p == null || pubsub == null) throw new OfflineError(`group pull of ${name}`)
  const self = libp2p.peerId.toString()
  const grace = options.memberGraceMs
  const interval = Math.max(50, Math.min(DATASETS_MEMBER_INTERVAL_MS, Math.floor(grace / 3)))
  const topic = groupTopic(name, group)
  const { root, manifest } = await c.resolve(options)
  const members = new Map<string, { seen: number, done?: string }>()
  let done: string | undefined

  const onMessage = (evt: CustomEvent<any>): void => {
    const message = evt.detail
    if (message?.topic !== topic || message.type !== 'signed') return
    try {
      const body = JSON.parse(decoder.decode(message.data)) as Presence
      const signer = message.from.toString()
      if (body.v !== 1 || body.peerId !== signer || signer === self || body.root !== root.toString()) return
      if (!members.has(signer) && members.size >= DATASETS_MAX_MEMBERS) return
      members.set(signer, { seen: Date.now(), done: typeof body.done === 'string' ? body.done.slice(0, 64) : undefined })
    } catch (err) {
      log('ignoring a malformed presence - %e', err)
    }
  }
  const announce = (): void => {
    const body: Presence = { v: 1, peerId: self, root: root.toString(), ...(done != null ? { done } : {}) }
    pubsub.publish(topic, encoder.encode(JSON.stringify(body))).catch(err => { log('presence not sent - %e', err) })
  }
  pubsub.subscribe(topic)
  pubsub.addEventListener('message', onMessage)
  const timer = setInterval(announce, interval)
  const live = (): string[] => {
    const now = Date.now()
    for (const [peer, m] of members) if (now - m.seen > grace) members.delete(peer)
    return [self, ...members.keys()].sort()
  }
  const pulled = new Map<string, ManifestFile>()
  const providers = new Set<string>()
  let fetchedBytes = 0
  let keys: string[]
  try {
    announce()
    // the first plan waits a few announcement rounds so that members starting together find each other
    await sleep(Math.min(grace, 3 * interval), options.signal)
    while (true) {
      options.signal?.throwIfAborted()
      keys = live()
      const setHash = hashOf(keys)
      const mine = (assignShards(manifest.files, keys).get(self) ?? []).filter(f => !pulled.has(f.path))
      if (mine.length > 0) {
        log('plan over %d members (%s): %d shards to pull', keys.length, setHash.slice(0, 8), mine.length)
        done = undefined
        options.onProgress?.(new CustomProgressEvent('datasets:group:members', { members: keys }))
        const wanted = new Set(mine.map(f => f.path))
        const result = await c.pullShards(m => m.files.filter(f => wanted.has(f.path)), options)
        for (const f of mine) pulled.set(f.path, f)
        for (const p of result.providers) providers.add(p)
        fetchedBytes += result.fetchedBytes
        continue
      }
      if (done !== setHash) {
        done = setHash
        announce()
      }
      const others = keys.filter(k => k !== self)
      if (others.every(k => members.get(k)?.done === setHash)) break
      if (log.enabled) log('done for %s (%d members); waiting on %s', setHash.slice(0, 8), keys.length, others.filter(k => members.get(k)?.done !== setHash).map(k => `${k.slice(-6)}:${members.get(k)?.done?.slice(0, 8) ?? 'working'}`).join(', '))
      await sleep(interval, options.signal)
    }
  } finally {
    clearInterval(timer)
    pubsub.removeEventListener('message', onMessage)
    try {
      pubsub.unsubscribe(topic)
    } catch {
      // libp2p already stopped
    }
  }
  const files = [...pulled.values()].sort((a, b) => a.path < b.path ? -1 : 1)
  return { name, revision: manifest.revision, root: root.toString(), shards: files.map(f => f.path), bytes: files.reduce((n, f) => n + f.size, 0), fetchedBytes, providers: [...providers], dest: options.dest, members: keys }
}

function hashOf (keys: string[]): string {
  return createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 32)
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(t); reject(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
