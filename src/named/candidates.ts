/**
 * Choosing what to pull for a name. A provider's announcement (gossip, an
 * `index` or `resolve` answer, the DHT) is only a hint: `peer P says root R`.
 * A name → root binding is believed only from the record at R — fetched by
 * its CID (so verified), its publisher signature checked, its publisher
 * trusted for the org. Candidates are fetched several at once with a short
 * deadline each, so a provider naming a root it cannot serve costs a few
 * seconds, never the pull. Among trusted records for the revision the newest
 * `created` wins; a newest that is a yank refuses the pull.
 */
import { CID } from 'multiformats/cid'
import { MODEL_CANDIDATE_SETTLE_MS, MODEL_MANIFEST_CONCURRENCY, MODEL_MANIFEST_TIMEOUT_MS, MODEL_MAX_CANDIDATES } from '../constants.ts'
import { ModelYankedError, UnsignedManifestError, UntrustedPublisherError } from '../errors.ts'
import { MODEL_KIND } from './kinds.ts'
import { decodeRecord } from './manifest.ts'
import { DEFAULT_REVISION, modelRef } from './names.ts'
import type { NamedKind } from './kinds.ts'
import type { Manifest, ModelRecordBlock } from './manifest.ts'
import type { FindProvidersOptions, NamedProvider as ModelProvider } from './types.ts'
import type { TrustRule, TrustStore } from '../trust/index.ts'
import type { AbortOptions } from '@libp2p/interface'

/** One distinct root named for the model, and what its record turned out to be. */
export interface Candidate {
  root: string
  /** The revision its first provider named. */
  revision: string
  providers: ModelProvider[]
  record?: ModelRecordBlock
  /** The verified publisher id; undefined for an unsigned manifest. */
  publisher?: string
  /** ms since the epoch, from the record. */
  created?: number
  /** Why it is not a candidate (not served in time, malformed, bad signature, another name). */
  error?: string
}

export interface CandidateComponents {
  find(name: string, options: FindProvidersOptions): AsyncGenerator<ModelProvider>
  /** Connect to a provider; rejects when it cannot be reached. */
  dial(provider: ModelProvider): Promise<void>
  /** The bytes of a root, from whoever has it, verified against the CID. */
  fetch(root: CID, options: AbortOptions): Promise<Uint8Array>
  trust: TrustStore
  allowUnsigned: boolean
  /** @default MODEL_KIND */
  kind?: NamedKind
}

export interface ChooseOptions extends AbortOptions {
  revision?: string
  findTimeoutMs?: number
  /** @default MODEL_MANIFEST_TIMEOUT_MS */
  manifestTimeoutMs?: number
  /** @default MODEL_CANDIDATE_SETTLE_MS */
  settleMs?: number
}

export interface Chosen {
  root: CID
  manifest: Manifest
  revision: string
  publisher?: string
  /** No publisher was recorded for the org: record this one once the pull has landed (trust on first use). */
  firstUse: boolean
}

/** The org of a model name: the part before `/`. */
export function orgOf (name: string): string {
  return name.slice(0, name.indexOf('/'))
}

/**
 * Find providers and fetch their records until a trusted one is found and
 * MODEL_CANDIDATE_SETTLE_MS has passed (or the search ends), then choose.
 * Providers found later are still dialled in the background.
 */
export async function chooseManifest (c: CandidateComponents, name: string, options: ChooseOptions, used: Set<string>): Promise<Chosen> {
  const found = c.find(name, { revision: options.revision, signal: options.signal, timeoutMs: options.findTimeoutMs })[Symbol.asyncIterator]()
  const rule = await c.trust.rule(orgOf(name))
  const candidates = new Map<string, Candidate>()
  const running = new Set<Promise<void>>()
  const queue: Candidate[] = []
  let firstGood: number | undefined
  const settleMs = options.settleMs ?? MODEL_CANDIDATE_SETTLE_MS

  const dial = async (provider: ModelProvider): Promise<void> => {
    await c.dial(provider).then(() => { used.add(provider.peerId) }, () => {})
  }
  const evaluate = async (candidate: Candidate): Promise<void> => {
    await dial(candidate.providers[0] as ModelProvider)
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(options.manifestTimeoutMs ?? MODEL_MANIFEST_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
      await loadRecord(c.fetch, candidate, name, options.revision, signal, c.kind)
      if (acceptable(candidate, rule, c.allowUnsigned) !== false) firstGood ??= Date.now()
    } catch (err: any) {
      options.signal?.throwIfAborted()
      candidate.error = err.name === 'NotFoundError' || err.name === 'TimeoutError' ? 'its providers did not send the record in time' : err.message
    }
  }
  const pump = (): void => {
    while (running.size < MODEL_MANIFEST_CONCURRENCY && queue.length > 0) {
      const next = queue.shift() as Candidate
      const task: Promise<void> = evaluate(next).finally(() => { running.delete(task) })
      running.add(task)
    }
  }
  const consider = (provider: ModelProvider): void => {
    const known = candidates.get(provider.root)
    if (known != null) {
      known.providers.push(provider)
      void dial(provider)
      return
    }
    if (candidates.size >= MODEL_MAX_CANDIDATES) return
    let root: CID
    try {
      root = CID.parse(provider.root)
    } catch {
      return
    }
    const candidate: Candidate = { root: root.toString(), revision: provider.revision, providers: [provider] }
    candidates.set(candidate.root, candidate)
    queue.push(candidate)
    pump()
  }

  // listen until a good record has had its settle time, or the search is over
  let next = found.next()
  let searching = true
  while (searching) {
    const tick = new Promise<undefined>(resolve => { setTimeout(() => { resolve(undefined) }, 50) })
    const step = await Promise.race([next, tick])
    options.signal?.throwIfAborted()
    if (step == null) {
      if (firstGood != null && Date.now() - firstGood >= settleMs) break
      continue
    }
    if (step.done === true) {
      searching = false
      break
    }
    consider(step.value)
    next = found.next()
  }
  if (searching) {
    // the records already on their way are part of this decision (each has its own deadline): a
    // yank or a newer revision heard at the same moment as the first good record must not lose to it
    while (running.size > 0) await Promise.race(running)
    // later providers are still worth a connection (the transfer engine uses every connected one)
    void (async () => {
      for (let step = await next; step.done !== true; step = await found.next()) void dial(step.value)
    })().catch(() => {})
  } else {
    // the search is over: wait for every record still on its way (each has its own deadline)
    while (running.size > 0 || queue.length > 0) {
      pump()
      await Promise.race(running)
    }
  }
  return await decide(c, name, options, rule, [...candidates.values()])
}

/**
 * Fetch the record at a candidate's root (verified by its CID), decode it, check its signature and
 * that it is for `name` (and `revision` when given), and fill the candidate in.
 *
 * @throws for a record not served, malformed, badly signed or for another name or revision
 */
async function loadRecord (fetch: CandidateComponents['fetch'], candidate: Candidate, name: string, revision: string | undefined, signal: AbortSignal, kind: NamedKind = MODEL_KIND): Promise<void> {
  const record = await decodeRecord(await fetch(CID.parse(candidate.root), { signal }), kind)
  if (record.name !== name) throw new Error(`its record is for ${record.name}`)
  if (revision != null && record.revision !== revision) throw new Error(`its record is for revision ${record.revision}`)
  candidate.record = record
  candidate.publisher = record.publisher
  candidate.created = record.created
  candidate.revision = record.revision
}

/** true: trusted; false: refused; undefined: no rule for the org yet (first use). */
function acceptable (candidate: Candidate, rule: TrustRule, allowUnsigned: boolean): boolean | undefined {
  if (candidate.publisher == null) return allowUnsigned && rule.kind !== 'configured'
  if (rule.kind === 'none') return undefined
  return rule.publishers.includes(candidate.publisher)
}

async function decide (c: CandidateComponents, name: string, options: ChooseOptions, rule: TrustRule, candidates: Candidate[]): Promise<Chosen> {
  const org = orgOf(name)
  const verified = candidates.filter(k => k.record != null)
  const signers = [...new Set(verified.map(k => k.publisher).filter((p): p is string => p != null))]
  if (rule.kind === 'none' && signers.length > 1) {
    throw new UntrustedPublisherError(org, [], signers, `${name} is signed by ${signers.length} different publishers and none is trusted for ${org} yet: ${signers.join(', ')}`)
  }
  const trusted = verified.filter(k => acceptable(k, rule, c.allowUnsigned) !== false)
  // the revision asked for; else main when a trusted record has it; else the newest trusted one
  const revision = options.revision ?? (trusted.some(k => k.revision === DEFAULT_REVISION) ? DEFAULT_REVISION : newest(trusted)?.revision)
  const inRevision = trusted.filter(k => k.revision === revision)
  const best = newest(inRevision)
  if (best == null || revision == null) {
    const ref = options.revision != null ? modelRef(name, options.revision) : name
    const refused = verified.filter(k => k.publisher != null && acceptable(k, rule, c.allowUnsigned) === false)
    if (refused.length > 0) {
      const seen = [...new Set(refused.map(k => k.publisher as string))]
      const allowed = rule.kind === 'none' ? [] : rule.publishers
      throw new UntrustedPublisherError(org, allowed, seen, `${ref} is published by ${seen.join(', ')}, but ${org} trusts only ${allowed.join(', ')}${rule.kind === 'configured' ? ' (ipfs_kit.models.trusted_publishers)' : ''}`)
    }
    if (verified.some(k => k.publisher == null)) throw new UnsignedManifestError(ref)
    const reasons = [...new Set(candidates.map(k => k.error).filter((e): e is string => e != null))]
    throw (c.kind ?? MODEL_KIND).notFound(ref, candidates.length === 0 ? undefined : `no provider sent a usable record (${reasons.slice(0, 3).join('; ')})`)
  }
  if (best.record?.kind === 'yank') throw new ModelYankedError(modelRef(name, revision), best.publisher ?? 'unknown')
  const manifest = (best.record as { kind: 'manifest', manifest: Manifest }).manifest
  return { root: CID.parse(best.root), manifest, revision, publisher: best.publisher, firstUse: rule.kind === 'none' && best.publisher != null }
}

/** The candidate with the latest `created`; on a tie, the one more providers hold. */
function newest (candidates: Candidate[]): Candidate | undefined {
  return [...candidates].sort((a, b) => (b.created ?? 0) - (a.created ?? 0) || b.providers.length - a.providers.length)[0]
}

/** Annotate providers with what their roots' records say (for `model providers`). */
export async function describeCandidates (c: Pick<CandidateComponents, 'fetch' | 'trust' | 'allowUnsigned' | 'kind'>, name: string, providers: ModelProvider[], options: ChooseOptions = {}): Promise<Candidate[]> {
  const rule = await c.trust.rule(orgOf(name))
  const byRoot = new Map<string, Candidate>()
  for (const p of providers) {
    const known = byRoot.get(p.root)
    if (known != null) known.providers.push(p)
    else if (byRoot.size < MODEL_MAX_CANDIDATES) byRoot.set(p.root, { root: p.root, revision: p.revision, providers: [p] })
  }
  const list = [...byRoot.values()]
  // one deadline for the whole description: many roots nobody serves (a flooding peer's) cost it
  // once, not once per root
  const deadline = AbortSignal.any([AbortSignal.timeout(options.manifestTimeoutMs ?? MODEL_MANIFEST_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
  for (let i = 0; i < list.length; i += MODEL_MANIFEST_CONCURRENCY) {
    await Promise.all(list.slice(i, i + MODEL_MANIFEST_CONCURRENCY).map(async candidate => {
      try {
        if (deadline.aborted) throw new Error('not fetched within the deadline')
        await loadRecord(c.fetch, candidate, name, undefined, deadline, c.kind)
      } catch (err: any) {
        candidate.error = err.name === 'NotFoundError' || err.name === 'TimeoutError' ? 'not served in time' : err.message
      }
    }))
  }
  // with no rule yet, a lone signer is what a pull would accept on first use; several are a conflict
  const signers = new Set(list.map(k => k.publisher).filter(p => p != null))
  for (const candidate of list) {
    const verdict = candidate.record == null ? false : acceptable(candidate, rule, c.allowUnsigned)
    ;(candidate as Candidate & { trusted: boolean }).trusted = verdict ?? signers.size === 1
  }
  return list
}
