/**
 * `ipfs-kit daemon`: run a node until SIGINT or SIGTERM, serving CLI commands
 * for its data directory on the control socket.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { DAEMON_INFO_FILE } from '../../constants.ts'
import { createControlServer, localOperations } from '../../control/index.ts'
import { listFlag } from '../args.ts'
import { printJson, printLines } from '../output.ts'
import type { Command, CommandContext } from '../command.ts'
import type { Kit } from '../../kit.ts'
import type { GatewayServer, RpcMount, RpcServer } from '../../http/index.ts'

type Http = typeof import('../../http/index.ts')

export const daemon: Command = {
  name: 'daemon',
  usage: '',
  summary: 'run a node until SIGINT/SIGTERM; other commands on its data directory go through it',
  description: 'Serves the Kubo RPC API, the MCP server (streamable HTTP at /mcp), /metrics, /status and a status page at / on backends.ipfs.api_endpoint (loopback only unless ipfs_kit.api.auth_token is set), and the trustless gateway on backends.ipfs.gateway (loopback only). With --json, prints one line {"peerId","addresses","dataDir","api","gateway"} once ready. A second signal exits at once.',
  flags: {
    api: { type: 'string', value: '<host:port>', description: 'Kubo RPC API address, loopback only without api.auth_token (replaces config backends.ipfs.api_endpoint; port 0 picks a free one)' },
    gateway: { type: 'string', value: '<host:port>', description: 'trustless gateway address, loopback only (replaces config backends.ipfs.gateway; port 0 picks a free one)' },
    listen: { type: 'string', multiple: true, value: '<multiaddr>', description: 'libp2p listen address, repeatable (replaces config node.listen)' },
    bootstrap: { type: 'string', multiple: true, value: '<multiaddr>', description: 'peer to dial at start, repeatable (replaces config node.bootstrap)' }
  },
  args: [0, 0],
  run: async ({ flags, globals, io }) => {
    // listening before the node starts: a signal during start-up stops it cleanly once started
    const stop = stopSignal()
    try {
      // loaded here: every other command starts without the libp2p stack and the HTTP servers
      const { createKit } = await import('../../index.ts')
      const http = await import('../../http/index.ts')
      const kit = await createKit({
        dataDir: globals.dataDir,
        configFile: globals.config,
        offline: globals.offline,
        listen: listFlag(flags, 'listen'),
        bootstrap: listFlag(flags, 'bootstrap')
      })
      const server = createControlServer(kit)
      // the MCP server over streamable HTTP at /mcp on the RPC address, under the API's token and path rules
      const { createMcpHttpHandler } = await import('../../mcp/index.ts')
      const mcp = createMcpHttpHandler({ operations: localOperations(kit), maxOutputBytes: kit.config.ipfs_kit.mcp.max_output_bytes })
      const infoFile = path.join(kit.dataDir, DAEMON_INFO_FILE)
      let rpc: RpcServer | undefined
      let gateway: GatewayServer | undefined
      try {
        await server.start()
        rpc = await startRpc(http, kit, typeof flags.api === 'string' ? flags.api : undefined, io, new Map([['/mcp', mcp]]))
        gateway = await startGateway(http, kit, typeof flags.gateway === 'string' ? flags.gateway : undefined, io)
        const info = { peerId: kit.peerId.toString(), addresses: kit.addresses(), dataDir: kit.dataDir, api: rpc?.url ?? null, gateway: gateway?.url ?? null }
        await fs.writeFile(infoFile, JSON.stringify({ ...info, pid: process.pid, socket: server.path, started: Date.now() }) + '\n')
        if (globals.json) {
          printJson(io, info)
        } else {
          printLines(io,
            `peer id:   ${info.peerId}`,
            `data dir:  ${info.dataDir}`,
            `control:   ${server.path}`,
            `api:       ${info.api ?? '(not serving)'}`,
            `gateway:   ${info.gateway ?? '(not serving)'}`,
            `mode:      ${kit.offline ? 'offline' : 'online'}`,
            'listening:', ...(info.addresses.length === 0 ? ['  (none)'] : info.addresses.map(a => `  ${a}`)),
            'daemon ready')
        }
        const signal = await stop.received
        if (!globals.json) io.stderr.write(`received ${signal}, stopping\n`)
      } finally {
        await gateway?.stop()
        await rpc?.stop()
        await server.stop()
        await fs.rm(infoFile, { force: true })
        await kit.stop()
      }
    } finally {
      stop.dispose()
    }
  }
}

/**
 * Start the Kubo RPC API. An address given with `--api` must work; the
 * configured default (127.0.0.1:5001) may be taken by Kubo or another daemon,
 * and then this daemon runs without the API, saying so on stderr.
 */
async function startRpc ({ createRpcServer, parseApiAddress }: Http, kit: Kit, flag: string | undefined, io: CommandContext['io'], mounts: ReadonlyMap<string, RpcMount>): Promise<RpcServer | undefined> {
  const address = flag != null
    ? parseApiAddress(flag, '--api')
    : parseApiAddress(kit.config.ipfs_kit.backends.ipfs.api_endpoint, 'backends.ipfs.api_endpoint')
  const rpc = createRpcServer(kit, { ...address, authToken: kit.config.ipfs_kit.api.auth_token ?? undefined, allowedPaths: kit.config.ipfs_kit.api.allowed_paths, mounts })
  try {
    await rpc.start()
  } catch (err: any) {
    if (flag != null || err.code !== 'EADDRINUSE') throw err
    io.stderr.write(`warning: RPC API not started: ${address.host}:${address.port} is in use; pass --api 127.0.0.1:<port> (0 picks a free one)\n`)
    return undefined
  }
  return rpc
}

/**
 * Start the trustless gateway, by the same rules as the RPC API: an address
 * given with `--gateway` must work; the configured default (127.0.0.1:8080)
 * may be taken, and then the daemon runs without a gateway, saying so.
 */
async function startGateway ({ createGatewayServer, parseApiAddress }: Http, kit: Kit, flag: string | undefined, io: CommandContext['io']): Promise<GatewayServer | undefined> {
  const address = flag != null
    ? parseApiAddress(flag, '--gateway')
    : parseApiAddress(kit.config.ipfs_kit.backends.ipfs.gateway, 'backends.ipfs.gateway')
  const gateway = createGatewayServer(kit, address)
  try {
    await gateway.start()
  } catch (err: any) {
    if (flag != null || err.code !== 'EADDRINUSE') throw err
    io.stderr.write(`warning: gateway not started: ${address.host}:${address.port} is in use; pass --gateway 127.0.0.1:<port> (0 picks a free one)\n`)
    return undefined
  }
  return gateway
}

/** The first SIGINT/SIGTERM resolves `received`; a second one exits without waiting. */
function stopSignal (): { received: Promise<NodeJS.Signals>, dispose: () => void } {
  let resolve: (signal: NodeJS.Signals) => void = () => {}
  const received = new Promise<NodeJS.Signals>(r => { resolve = r })
  let count = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++count > 1) {
      process.stderr.write(`received ${signal} again, exiting without a clean stop\n`)
      process.exit(1)
    }
    resolve(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    received,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
