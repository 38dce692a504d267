/**
 * docs/grafana/ipfs-kit.json and docs/status.schema.json against a real
 * `ipfs-kit daemon` process (online, loopback): every series a dashboard
 * query names is one the daemon's `/metrics` exports, and `/status` matches
 * its documented schema both ways (nothing undocumented, nothing missing).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, ROOT, startDaemon, tempDir } from '../cli/helpers.ts'
import { undocumented, validate } from '../fixtures/json-schema.ts'

const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs/grafana/ipfs-kit.json'), 'utf8'))
const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs/status.schema.json'), 'utf8'))

/** PromQL words that are not series: functions, aggregations and their modifiers. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset'])

/** The series an expression names: what is left once strings, label matchers, ranges, groupings and function calls are taken out. */
function seriesOf (expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
  const names: string[] = []
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0]
    const after = bare.slice((match.index ?? 0) + word.length).trimStart()
    if (after.startsWith('(') || PROMQL_WORDS.has(word)) continue
    names.push(word)
  }
  return names
}

/** Series names in Prometheus text: every `# TYPE` name, with a histogram's `_bucket`, `_sum` and `_count`. */
function exported (text: string): Set<string> {
  const names = new Set<string>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string)
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name as string}${suffix}`)
  }
  return names
}

describe('Grafana dashboard and /status schema against a running daemon', () => {
  afterAll(cleanup)

  it('seriesOf finds the series of an expression and nothing else', () => {
    expect(seriesOf('histogram_quantile(0.95, sum by (le, operation) (rate(x_bucket{a=~"b|c"}[5m])))')).toEqual(['x_bucket'])
    expect(seriesOf('a{i="1"} / b')).toEqual(['a', 'b'])
  })

  it('every dashboard query names a series the daemon exports, and /status matches docs/status.schema.json', async () => {
    const repo = path.join(await tempDir(), 'repo')
    const daemon = await startDaemon(repo, ['--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'])
    const api = (daemon.info as unknown as { api: string }).api
    // a little traffic so that lazily registered series exist too
    const added = await fetch(`${api}/api/v0/add`, { method: 'POST', body: (() => { const f = new FormData(); f.append('file', new Blob(['hello world'])); return f })() })
    expect(added.status).toBe(200)

    const metrics = await (await fetch(`${api}/metrics`)).text()
    const names = exported(metrics)
    expect(names.has('ipfs_kit_repo_bytes')).toBe(true)
    const panels = (dashboard.panels as any[]).filter(p => p.type !== 'row')
    expect(panels.length).toBeGreaterThan(10)
    const missing: string[] = []
    for (const panel of panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0)
      for (const target of panel.targets) {
        const series = seriesOf(target.expr)
        expect(series.length, `${panel.title}: ${String(target.expr)}`).toBeGreaterThan(0)
        for (const name of series) if (!names.has(name)) missing.push(`${String(panel.title)}: ${name}`)
      }
    }
    expect(missing).toEqual([])
    // unique panel ids and grid positions inside the 24 columns: what Grafana's import expects
    expect(new Set((dashboard.panels as any[]).map(p => p.id)).size).toBe(dashboard.panels.length)
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24)
    // importable as is: every query goes to the data source picked in the dashboard's own variable, none to a uid of ours
    expect(dashboard.templating.list.find((v: any) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' })
    for (const p of panels) for (const t of p.targets) expect(t.datasource.uid, p.title).toBe('${datasource}')

    const status = await (await fetch(`${api}/status`)).json() as Record<string, unknown>
    expect(validate(schema, status)).toEqual([])
    expect(undocumented(schema)).toEqual([])
    // `?since=` leaves out the history samples a polling page already has
    const samples = (status.history as { samples: Array<{ at: number }> }).samples
    expect(samples.length).toBeGreaterThan(0)
    const lastAt = (samples.at(-1) as { at: number }).at
    const newer = await (await fetch(`${api}/status?since=${lastAt}`)).json() as { history: { samples: Array<{ at: number }> } }
    expect(newer.history.samples.filter(sample => sample.at <= lastAt)).toEqual([])
    expect(validate(schema, newer)).toEqual([])
    // the checker does fail: an undocumented field and a missing one are both reported
    const { peers: _peers, ...withoutPeers } = status
    expect(validate(schema, { ...withoutPeers, extra: 1 })).toEqual(['$: missing peers', '$.extra: not documented'])
    expect(await daemon.stop()).toBe(0)
  }, 60_000)
})
