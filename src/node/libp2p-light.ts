/**
 * `withLibp2pLight` without loading `@helia/libp2p`'s entry point. That
 * module statically imports its `libp2pDefaults`, and with them AutoTLS
 * (acme-client, axios, node-forge, @peculiar/x509), libp2p's HTTP stack
 * (undici) and every transport we do not use: 20 MB of heap and 50 MB of
 * RSS in every process, measured, before the node does anything. A bigger
 * live heap also makes every full GC dearer while blocks stream through.
 *
 * Same behaviour as `@helia/libp2p`'s `withLibp2pLight` for a node whose only
 * router is libp2p's own (ours): libp2p is created on Helia's start with
 * Helia's datastore and node info, and libp2p's routing is added. (Helia's
 * version also copies peers found by other routers into the peer store; a
 * kit has no other router.) Its routing module is loaded by file URL, as
 * helia-light.ts loads the Helia class, since the package exports only its
 * entry point.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { NotStartedError } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import { userAgent } from 'libp2p/user-agent'
import type { CreateLibp2pOptions, HeliaWithLibp2p } from '@helia/libp2p'
import type { Helia, Routing } from '@helia/interface'
import type { Libp2p, ServiceMap } from '@libp2p/interface'

const entry = createRequire(import.meta.url).resolve('@helia/libp2p')
const { libp2pRouting } = await import(pathToFileURL(path.join(path.dirname(entry), 'routing.js')).href) as { libp2pRouting(libp2p: Libp2p): Partial<Routing> & { name: string } }

/** `configure` is called with the new libp2p before it starts (before any connection). */
export function withLibp2pLight<H extends Helia, M extends ServiceMap = ServiceMap> (helia: H, opts: CreateLibp2pOptions<M>, configure?: (libp2p: Libp2p<M>) => void): H & HeliaWithLibp2p<M> {
  let libp2p: Libp2p<M> | undefined
  Object.defineProperty(helia, 'libp2p', {
    configurable: true,
    enumerable: true,
    get () {
      if (libp2p != null) return libp2p
      throw new NotStartedError()
    }
  })
  helia.addMixin({
    name: 'libp2p',
    start: async () => {
      if (libp2p == null) {
        opts.nodeInfo ??= {}
        opts.nodeInfo.name ??= helia.info.name
        opts.nodeInfo.version ??= helia.info.version
        opts.nodeInfo.userAgent ??= `${helia.info.name}/${helia.info.version} ${userAgent()}`
        opts.datastore ??= helia.datastore
        libp2p = await createLibp2p({ ...opts, start: false })
        configure?.(libp2p)
      }
      if (!helia.hasRouter('libp2p-router')) helia.addRouter(libp2pRouting(libp2p) as any)
      await libp2p.start()
    },
    stop: async () => {
      await libp2p?.stop()
    }
  })
  return helia as H & HeliaWithLibp2p<M>
}
