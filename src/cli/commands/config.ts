/** `ipfs-kit config show|validate`: the resolved configuration. */
import { printJson, printLines } from '../output.ts'
import type { Command } from '../command.ts'

export const configShow: Command = {
  name: 'config show',
  usage: '',
  summary: 'print the resolved configuration (defaults ← --config file ← environment) as YAML',
  description: 'Sizes are shown in bytes and durations in milliseconds, as the node reads them. Secrets (every key containing key, token, secret or password: api.auth_token, backends.filecoin.api_key, node.swarm_key unless it is a file path) are shown as <redacted>.',
  args: [0, 0],
  run: async ({ globals, io }) => {
    const { loadConfig, redactSecrets } = await import('../../config/index.ts')
    const { stringify } = await import('yaml')
    const config = redactSecrets(loadConfig({ file: globals.config, dataDir: globals.dataDir }))
    if (globals.json) printJson(io, config)
    else io.stdout.write(stringify(config))
  }
}

export const configValidate: Command = {
  name: 'config validate',
  usage: '[file]',
  summary: 'check a config file (the argument, else --config, else the defaults); print ok or the error',
  args: [0, 1],
  run: async ({ args, globals, io }) => {
    const file = args[0] ?? globals.config
    const { loadConfig } = await import('../../config/index.ts')
    loadConfig({ file, dataDir: globals.dataDir })
    if (globals.json) printJson(io, { ok: true, file: file ?? null })
    else printLines(io, 'ok')
  }
}
