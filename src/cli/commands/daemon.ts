/**
 * `ipfs-kit daemon`: run a node until SIGINT or SIGTERM, serving CLI commands
 * for its data directory on the control socket.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { DAEMON_INFO_FILE } from '../../constants.ts'
import { createControlServer } from '../../control/index.ts'
import { listFlag } from '../args.ts'
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const daemon: Command = {
  name: 'daemon',
  usage: '',
  summary: 'run a node until SIGINT/SIGTERM; other commands on its data directory go through it',
  description: 'With --json, prints one line {"peerId","addresses","dataDir"} once ready. A second signal exits at once.',
  flags: {
    listen: { type: 'string', multiple: true, value: '<multiaddr>', description: 'libp2p listen address, repeatable (replaces config node.listen)' },
    bootstrap: { type: 'string', multiple: true, value: '<multiaddr>', description: 'peer to dial at start, repeatable (replaces config node.bootstrap)' }
  },
  args: [0, 0],
  run: async ({ flags, globals, io }) => {
    // listening before the node starts: a signal during start-up stops it cleanly once started
    const stop = stopSignal()
    try {
      const { createKit } = await import('../../index.ts')
      const kit = await createKit({
        dataDir: globals.dataDir,
        configFile: globals.config,
        offline: globals.offline,
        listen: listFlag(flags, 'listen'),
        bootstrap: listFlag(flags, 'bootstrap')
      })
      const server = createControlServer(kit)
      const infoFile = path.join(kit.dataDir, DAEMON_INFO_FILE)
      try {
        await server.start()
        const info = { peerId: kit.peerId.toString(), addresses: kit.addresses(), dataDir: kit.dataDir }
        await fs.writeFile(infoFile, JSON.stringify({ ...info, pid: process.pid, socket: server.path, started: Date.now() }) + '\n')
        if (globals.json) {
          printJson(io, info)
        } else {
          printLines(io,
            `peer id:   ${info.peerId}`,
            `data dir:  ${info.dataDir}`,
            `control:   ${server.path}`,
            `mode:      ${kit.offline ? 'offline' : 'online'}`,
            'listening:', ...(info.addresses.length === 0 ? ['  (none)'] : info.addresses.map(a => `  ${a}`)),
            'daemon ready')
        }
        const signal = await stop.received
        if (!globals.json) io.stderr.write(`received ${signal}, stopping\n`)
      } finally {
        await server.stop()
        await fs.rm(infoFile, { force: true })
        await kit.stop()
      }
    } finally {
      stop.dispose()
    }
  }
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
