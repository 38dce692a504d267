import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { Client } from 'undici'
import fs from 'node:fs'
const N = 10000
const cpu = (pid: number) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return { u: Number(f[11]) * 10, s: Number(f[12]) * 10 } }
for (const mode of ['http', 'raw', 'http']) {
  const srv = spawn(process.execPath, ['--import', 'tsx', 'benchmarks/_srv2.ts', mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = Number(await new Promise<string>(r => createInterface({ input: srv.stdout! }).once('line', r)))
  const u = new Client(`http://127.0.0.1:${port}`)
  const fn = async () => { const r = await u.request({ path: '/api/v0/x?arg=k', method: 'POST' }); await r.body.arrayBuffer() }
  for (let i = 0; i < 500; i++) await fn()
  const c0 = cpu(srv.pid!); const s: number[] = []
  for (let i = 0; i < N; i++) { const t = performance.now(); await fn(); s.push(performance.now() - t) }
  const c1 = cpu(srv.pid!)
  s.sort((a, b) => a - b)
  console.log(mode, 'p50 µs', (s[N / 2]! * 1000).toFixed(0), 'server user µs/req', ((c1.u - c0.u) * 1000 / N).toFixed(0), 'sys µs/req', ((c1.s - c0.s) * 1000 / N).toFixed(0))
  srv.kill(); await u.close()
}
