/**
 * Who this node trusts to publish for an org: the configured
 * `trusted_publishers` (a fixed list per org, `"*"` for every org), else the
 * record in the data directory — written by trust on first use, or by
 * `model trust` / `model untrust`.
 */
import { decodeJson, encodeJson } from '../repo/index.ts'
import type { MetaStore } from '../repo/index.ts'

const PREFIX = '/ipfs-kit/trust/'

export interface TrustStoreInit {
  meta: MetaStore
  /** Config `ipfs_kit.models.trusted_publishers`: org (or `*`) → publisher ids. */
  configured: Record<string, string[]>
}

/** How this node decides about `org`. */
export type TrustRule =
  | { kind: 'configured', publishers: string[] }
  | { kind: 'recorded', publishers: string[] }
  | { kind: 'none' }

export class TrustStore {
  constructor (private readonly init: TrustStoreInit) {}

  /** Config `trusted_publishers`, as given. */
  get configured (): Record<string, string[]> {
    return this.init.configured
  }

  /** The rule for `org`: configuration first, then the record, else nothing yet (trust on first use). */
  async rule (org: string): Promise<TrustRule> {
    const configured = this.init.configured[org] ?? this.init.configured['*']
    if (configured != null) return { kind: 'configured', publishers: configured }
    const recorded = await this.recorded(org)
    return recorded.length > 0 ? { kind: 'recorded', publishers: recorded } : { kind: 'none' }
  }

  /** True when `publisher` may publish for `org`; `undefined` when nothing is decided for the org yet. */
  async trusts (org: string, publisher: string): Promise<boolean | undefined> {
    const rule = await this.rule(org)
    return rule.kind === 'none' ? undefined : rule.publishers.includes(publisher)
  }

  async recorded (org: string): Promise<string[]> {
    const bytes = await this.init.meta.get(PREFIX + org)
    return bytes == null ? [] : decodeJson<{ publishers: string[] }>(bytes).publishers
  }

  /** Add `publisher` to the record of `org`. */
  async trust (org: string, publisher: string): Promise<string[]> {
    const publishers = [...new Set([...await this.recorded(org), publisher])]
    await this.init.meta.batch([{ type: 'put', key: PREFIX + org, value: encodeJson({ publishers }) }])
    return publishers
  }

  /** Remove `publisher` from the record of `org` (an empty record means trust on first use again). */
  async untrust (org: string, publisher: string): Promise<string[]> {
    const publishers = (await this.recorded(org)).filter(p => p !== publisher)
    await this.init.meta.batch(publishers.length === 0
      ? [{ type: 'del', key: PREFIX + org }]
      : [{ type: 'put', key: PREFIX + org, value: encodeJson({ publishers }) }])
    return publishers
  }

  /** Every org with a record. */
  async * records (): AsyncGenerator<{ org: string, publishers: string[] }> {
    for await (const [key, value] of this.init.meta.entries(PREFIX)) {
      yield { org: key.slice(PREFIX.length), publishers: decodeJson<{ publishers: string[] }>(value).publishers }
    }
  }
}
