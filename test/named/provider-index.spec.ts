import { describe, expect, it } from 'vitest'
import { ProviderIndex } from '../../src/named/provider-index.ts'
import type { NamedProvider } from '../../src/named/index.ts'

const ROOT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const provider = (peerId: string, revision = 'main'): NamedProvider => ({ peerId, addresses: [], root: ROOT, revision, via: 'gossip' })

describe('provider index bounds per name', () => {
  it('keeps at most maxPerName providers of one name, pushing out the one heard longest ago', () => {
    const index = new ProviderIndex(60_000, { maxPerName: 3 })
    for (let i = 0; i < 3; i++) index.add('acme/llm', provider(`peer-${i}`), 1_000 + i)
    // peer-0 is heard again: now peer-1 is the one heard longest ago
    index.add('acme/llm', provider('peer-0'), 2_000)
    index.add('acme/llm', provider('peer-3'), 2_001)
    expect(index.get('acme/llm', undefined, 2_002).map(p => p.peerId).sort()).toEqual(['peer-0', 'peer-2', 'peer-3'])
    // other names are not touched by the bound
    index.add('acme/other', provider('peer-1'), 2_003)
    expect(index.size).toBe(4)
  })

  it('counts the providers of a name@revision heard since a time (what announce suppression reads)', () => {
    const index = new ProviderIndex(60_000)
    index.add('acme/llm', provider('peer-a'), 1_000)
    index.add('acme/llm', provider('peer-b'), 5_000)
    index.add('acme/llm', provider('peer-c', 'v2'), 5_000)
    expect(index.heardSince('acme/llm', 'main', 4_000)).toBe(1)
    expect(index.heardSince('acme/llm', 'main', 1_000)).toBe(2)
    expect(index.heardSince('acme/llm', 'v2', 0)).toBe(1)
    expect(index.heardSince('acme/none', 'main', 0)).toBe(0)
  })
})
