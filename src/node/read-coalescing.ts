/**
 * Fewer, larger socket reads while a connection streams data. On a link
 * slower than the machine (50 Mbit/s: a packet every ~0.23 ms), Node reads a
 * TCP socket as soon as anything arrives, so each read carries one or two
 * packets, and libp2p pays its per-read costs (the 'data' event, the
 * connection's message event, noise's frame decoder, a 64 KiB allocation)
 * some 700 times per MiB. Measured here (benchmarks/cpu-probe.ts, a raw
 * libp2p stream between two processes): the receiver spends 37 CPU-ms per
 * MiB at 50 Mbit/s against 15 unshaped.
 *
 * When a read is small and follows the previous one within
 * READ_COALESCE_BURST_MS (data is streaming, not a lone message), the socket
 * stops reading for READ_COALESCE_MS; the kernel keeps receiving and
 * acknowledging into the socket buffer meanwhile (the sender is not slowed
 * while that buffer holds the interval's bytes: ~31 KB at 50 Mbit/s), and the
 * next read takes everything that arrived at once. A lone message is read at
 * once; a large read (the process is behind anyway) never pauses.
 *
 * Node has no public way to stop reading a socket below its stream buffer's
 * high-water mark (`pause()` keeps reading 16 KiB into it, one packet per
 * chunk), so this stops and restarts the socket's handle as Node's own
 * `pause()` does for sockets made with `onread`. It leaves the handle's
 * `reading` flag set while stopped so Node does not restart it on its own at
 * the next tick; Node's own backpressure (clearing the flag) takes precedence:
 * the timer then leaves the handle alone. Where the handle lacks these
 * methods, reads are left as they are.
 */
import { READ_COALESCE_BURST_MS, READ_COALESCE_MAX_READ, READ_COALESCE_MS } from '../constants.ts'
import { Socket } from 'node:net'
import { tcp } from '@libp2p/tcp'
import type { TCPComponents, TCPOptions } from '@libp2p/tcp'
import type { CreateListenerOptions, DialTransportOptions, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The parts of Node's TCP handle this uses (libuv's stream wrap). */
interface StreamHandle {
  reading: boolean
  readStart(): number
  readStop(): number
}

export interface ReadCoalescingInit {
  /** @default READ_COALESCE_MS */
  delayMs?: number
  /** @default READ_COALESCE_BURST_MS */
  burstMs?: number
  /** @default READ_COALESCE_MAX_READ */
  smallRead?: number
}

function handleOf (socket: Socket): StreamHandle | undefined {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> })._handle
  if (handle == null || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function' || typeof handle.reading !== 'boolean') return undefined
  return handle as StreamHandle
}

/** Coalesce the reads of `socket` while it streams; returns false when the socket's handle does not allow it. */
export function coalesceReads (socket: Socket, init: ReadCoalescingInit = {}): boolean {
  const delayMs = init.delayMs ?? READ_COALESCE_MS
  const burstMs = init.burstMs ?? READ_COALESCE_BURST_MS
  const smallRead = init.smallRead ?? READ_COALESCE_MAX_READ
  if (delayMs <= 0 || handleOf(socket) == null) return false
  let last = -Infinity
  let timer: ReturnType<typeof setTimeout> | undefined
  const restart = (): void => {
    timer = undefined
    const handle = handleOf(socket)
    // a cleared flag: Node stopped the handle itself (backpressure) and restarts it when it wants
    if (handle == null || socket.destroyed || !handle.reading) return
    handle.readStart()
  }
  const onData = (chunk: Uint8Array): void => {
    const now = performance.now()
    const gap = now - last
    last = now
    if (timer != null || chunk.byteLength >= smallRead || gap > burstMs) return
    const handle = handleOf(socket)
    if (handle == null || !handle.reading || socket.destroyed) return
    handle.readStop()
    timer = setTimeout(restart, delayMs)
  }
  socket.on('data', onData)
  socket.once('close', () => {
    clearTimeout(timer)
    socket.off('data', onData)
  })
  return true
}

/** An upgrader that coalesces the reads of each TCP socket it is handed, then upgrades it as `upgrader` does. */
function coalescingUpgrader (upgrader: Upgrader, init: ReadCoalescingInit): Upgrader {
  const coalesce = (maConn: MultiaddrConnection): void => {
    // @libp2p/tcp's connection keeps its socket as `socket`
    const socket = (maConn as unknown as { socket?: unknown }).socket
    if (socket instanceof Socket) coalesceReads(socket, init)
  }
  return new Proxy(upgrader, {
    get (target, prop) {
      const value = Reflect.get(target, prop, target)
      if (prop === 'upgradeInbound' || prop === 'upgradeOutbound') {
        return (maConn: MultiaddrConnection, options: any) => {
          coalesce(maConn)
          return value.call(target, maConn, options)
        }
      }
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** libp2p's TCP transport with the reads of every connection coalesced while it streams. */
export function coalescingTcp (options: TCPOptions = {}, init: ReadCoalescingInit = {}): (components: TCPComponents) => Transport {
  const factory = tcp(options)
  return components => {
    const inner = factory(components)
    return new Proxy(inner, {
      get (target, prop) {
        if (prop === 'dial') {
          return async (ma: Multiaddr, dialOptions: DialTransportOptions) => await target.dial(ma, { ...dialOptions, upgrader: coalescingUpgrader(dialOptions.upgrader, init) })
        }
        if (prop === 'createListener') {
          return (listenOptions: CreateListenerOptions) => target.createListener({ ...listenOptions, upgrader: coalescingUpgrader(listenOptions.upgrader, init) })
        }
        const value = Reflect.get(target, prop, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }
}
