/**
 * The seeding series on the kit's `/metrics` registry. Per-root series are
 * limited to the SEEDING_METRICS_TOP_ROOTS hottest roots, so the label set
 * stays bounded however many roots are read.
 */
import { Counter, Gauge } from 'prom-client'
import { SEEDING_METRICS_TOP_ROOTS } from '../constants.ts'
import type { Seeding } from './seeding.ts'
import type { Registry } from 'prom-client'

export function registerSeedingMetrics (registry: Registry, seeding: () => Seeding | undefined): void {
  const registers = [registry]
  const stats = (): ReturnType<Seeding['stats']> | undefined => {
    const s = seeding()
    try {
      return s?.stats({ limit: SEEDING_METRICS_TOP_ROOTS })
    } catch {
      return undefined // stopped
    }
  }
  new Counter({
    name: 'ipfs_kit_seeding_reads_total',
    help: 'Reads noted by the access statistics: local reads of a root, and fetches of a tracked root by peers',
    labelNames: ['kind'],
    registers,
    collect () {
      const s = stats()
      this.reset()
      this.inc({ kind: 'local' }, s?.readsNoted ?? 0)
      this.inc({ kind: 'served' }, s?.servedNoted ?? 0)
    }
  })
  new Gauge({
    name: 'ipfs_kit_seeding_tracked_roots',
    help: 'Roots whose access statistics are kept (at most SEEDING_MAX_TRACKED_ROOTS)',
    registers,
    collect () { this.set(stats()?.tracked ?? 0) }
  })
  new Gauge({
    name: 'ipfs_kit_seeding_root_score',
    help: `Decayed access score (reads and peer fetches, halving every seeding.half_life) of the ${SEEDING_METRICS_TOP_ROOTS} hottest roots`,
    labelNames: ['cid'],
    registers,
    collect () {
      this.reset()
      for (const root of stats()?.roots ?? []) this.set({ cid: root.cid }, root.score)
    }
  })
}
