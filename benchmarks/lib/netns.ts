/**
 * A switched network of hosts in Linux network namespaces: one bridge in the
 * root namespace, one namespace per host joined to it by a veth pair, every
 * host's link limited each way with `tc` token-bucket filters. Addresses are
 * 10.77.0.0/24, reachable only between these namespaces. `destroy()` removes
 * everything (also run on SIGINT/SIGTERM and at exit); names carry the pid,
 * so two runs never collide.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface Host {
  /** Namespace name, for `ip netns exec`. */
  ns: string
  ip: string
  /** The host's interface inside its namespace. */
  dev: string
  /** The bridge side of its veth, in the root namespace (what it receives is what the host sent). */
  outer: string
}

export interface Network {
  hosts: Host[]
  /** Bytes a host has sent on its link so far. */
  txBytes(host: Host): number
  /**
   * Bytes all hosts together have sent on their links so far, read in the root namespace (what the
   * bridge side of each veth received: no process per read, so it can be sampled every second).
   */
  uplinkBytes(): number
  destroy(): void
}

/** Why this machine cannot run the namespace benchmarks, or undefined when it can. */
export function netnsUnavailable (): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and tc): run it as root'
  for (const tool of ['ip', 'tc']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' })
    } catch {
      return `\`${tool}\` is missing: apt-get install iproute2`
    }
  }
  return undefined
}

function run (...args: string[]): void {
  execFileSync(args[0] as string, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Create `count` hosts, each link limited to `mbit` Mbit/s each way. */
export function createNetwork (count: number, mbit: number): Network {
  const tag = (process.pid % 100_000).toString(36)
  const bridge = `ikb${tag}`
  const hosts: Host[] = []
  const destroy = (): void => {
    for (const host of hosts) {
      try { run('ip', 'netns', 'del', host.ns) } catch { /* already gone */ }
    }
    try { run('ip', 'link', 'del', bridge) } catch { /* already gone */ }
    hosts.length = 0
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    destroy()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.once('exit', destroy)

  try {
    run('ip', 'link', 'add', bridge, 'type', 'bridge')
    run('ip', 'link', 'set', bridge, 'up')
    for (let i = 0; i < count; i++) {
      const ns = `ik${tag}h${i}`
      const outer = `ik${tag}v${i}`
      const dev = `ik${tag}p${i}`
      const host = { ns, ip: `10.77.0.${i + 1}`, dev, outer }
      run('ip', 'netns', 'add', ns)
      hosts.push(host)
      run('ip', 'link', 'add', outer, 'type', 'veth', 'peer', 'name', dev)
      run('ip', 'link', 'set', dev, 'netns', ns)
      run('ip', 'link', 'set', outer, 'master', bridge)
      run('ip', 'link', 'set', outer, 'up')
      run('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${host.ip}/24`, 'dev', dev)
      run('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', dev, 'up')
      run('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up')
      // out of the host: its own interface; into the host: the bridge side of its veth
      const tbf = ['root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '64kb', 'latency', '200ms']
      run('ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, ...tbf)
      run('tc', 'qdisc', 'add', 'dev', outer, ...tbf)
    }
  } catch (err: any) {
    destroy()
    throw new Error(`could not set up network namespaces: ${err.stderr?.toString().trim() ?? err.message}`, { cause: err })
  }

  return {
    hosts,
    txBytes: host => Number(execFileSync('ip', ['netns', 'exec', host.ns, 'cat', `/sys/class/net/${host.dev}/statistics/tx_bytes`]).toString().trim()),
    uplinkBytes: () => hosts.reduce((n, host) => n + Number(readFileSync(`/sys/class/net/${host.outer}/statistics/rx_bytes`, 'utf8').trim()), 0),
    destroy: () => {
      destroy()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.off('exit', destroy)
    }
  }
}
