/**
 * The status page in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) watches a kit in this process pull a model from
 * a peer process. The provider is paused (SIGSTOP) once the first bytes have
 * landed, so the page is looked at while the pull is surely in progress; it
 * must then show every section with live data, redraw its chart between
 * polls, stay inside the viewport at phone width, and never ask anything of
 * another origin. A 1280×800 screenshot is written under the test's temp dir
 * (and to $STATUS_PAGE_SCREENSHOT when set: how docs/status-page.png is made).
 */
import { randomBytes } from 'node:crypto'
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { startPeer } from '../../peers/harness.ts'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB } from '../fixtures/bytes.ts'
import { validate } from '../fixtures/json-schema.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { Peer } from '../../peers/harness.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { NodeStatus } from '../../src/index.ts'
import type { Browser } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'
const MODEL = 'acme/status-demo'
const schema = JSON.parse(await readFile(new URL('../../docs/status.schema.json', import.meta.url), 'utf8'))
const sandbox = new Sandbox()
let server: RpcServer | undefined
let browser: Browser | undefined
let provider: Peer | undefined

afterEach(async () => {
  await browser?.close()
  await server?.stop()
  provider?.process.kill('SIGCONT') // a failed test may leave it paused, and a paused peer cannot stop
  await provider?.stop()
  await sandbox.cleanup()
})

/** The page's short form of a peer id. */
const short = (id: string): string => id.length > 20 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id

describe('status page', () => {
  it('shows every section with live data during a real pull from another process, redraws its chart, and asks nothing of other origins', async () => {
    // `npm test`'s pretest (scripts/ensure-chromium.js) installs it; failing here (not skipping) keeps the test from silently not running
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true)
    const dir = await sandbox.dir()
    await writeFile(join(dir, 'model.safetensors'), randomBytes(40 * MIB))
    await writeFile(join(dir, 'config.json'), randomBytes(8 * MIB))
    const starting = startPeer()
    const kit = await sandbox.kit({ offline: false, config: { ipfs_kit: { performance: { max_cache_size: 64 * MIB } } } })
    server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
    await server.start()
    const origin = server.url
    browser = await chromium.launch({ executablePath: CHROMIUM })
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const requests: string[] = []
    const errors: string[] = []
    page.on('request', req => requests.push(req.url()))
    page.on('pageerror', err => errors.push(err.message))
    page.on('console', msg => { if (msg.type() === 'error') errors.push(msg.text()) })
    await page.goto(`${origin}/`)
    const text = async (selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? ''

    // before anything happens, the empty sections say so in words
    await expect.poll(async () => await text('#peer-id'), { timeout: 10_000 }).toBe(kit.peerId.toString())
    expect(await text('#mode')).toBe('online')
    expect(await text('#pulls')).toBe('No pulls in progress.')
    expect(await text('#peers')).toBe('No peers connected.')
    expect(await text('#held')).toBe('No models here yet: publish one, or pull one from peers.')
    expect(await text('#replication')).toBe('No replicated roots: pin add --replicas N asks the cluster to keep N live copies of a root.')
    expect(await text('#cache-empty')).toContain('No cache lookups yet')
    expect(await text('#holdings')).toContain('Auto pins00 B')
    expect(await text('#holdings')).toContain('Datasetsnot on this node yet')

    // a real pull from another process, paused mid-way (past 2 MiB, so the peers table shows MiB served)
    provider = await starting
    const peer = provider
    await peer.call('modelPublish', { dir, name: MODEL })
    await kit.dial(peer.addresses[0] as string)
    let paused!: () => void
    const pausedMidPull = new Promise<void>(resolve => { paused = resolve })
    let stopped = false
    const pull = kit.models.pull(MODEL, {
      onProgress: event => {
        if (!stopped && event.type === 'models:pull:progress' && event.detail.bytesDone >= 2 * MIB) {
          stopped = true
          peer.process.kill('SIGSTOP')
          paused()
        }
      }
    })
    await pausedMidPull

    // (the page may first catch the pull before its manifest is read: its size unknown, no provider yet)
    await expect.poll(async () => await text('#pulls'), { timeout: 10_000 }).toMatch(/ of 48\.0 MiB \([\d.]+ %\) · [\d.]+ (B|KiB|MiB)\/s · ETA /)
    expect(await page.locator('#pulls .pull').count()).toBe(1)
    const pulling = await text('#pulls')
    expect(pulling).toContain(`${MODEL} model`)
    expect(pulling).toContain(short(peer.peerId))
    // what it served us: the provider paused past 2 MiB, but the page may still show a refresh from before
    const servedRow = async (): Promise<string[]> => await page.locator('#peers tbody tr').first().locator('td').allTextContents()
    await expect.poll(async () => (await servedRow())[3], { timeout: 10_000 }).toMatch(/MiB$/)
    expect((await servedRow())[0]).toBe(short(peer.peerId))
    expect(await text('#repo-max')).toMatch(/^of 64\.0 MiB \([\d.]+ %\)$/)
    expect(await page.locator('#gauge span').count()).toBe(3)
    // the chart has drawn the transfer protocol's bytes in, on a scale of MiB/s or KiB/s
    await expect.poll(async () => await page.locator('#chart-in path[data-series="transfer"]').count()).toBe(1)
    expect(await page.locator('#chart-in text').nth(1).textContent()).toMatch(/(KiB|MiB)\/s$/)
    // and redraws between two polls: its last point moves on
    const lastAt = Number(await page.locator('#chart-in').getAttribute('data-last-at'))
    await expect.poll(async () => Number(await page.locator('#chart-in').getAttribute('data-last-at')), { timeout: 10_000 }).toBeGreaterThan(lastAt)
    // the JSON behind it, mid-pull, is what docs/status.schema.json documents
    const status = await (await fetch(`${origin}/status`)).json() as NodeStatus
    expect(validate(schema, status)).toEqual([])
    expect(status.pulls[0]?.providers[0]?.peer).toBe(peer.peerId)

    const shot = join(await sandbox.dir(), 'status-1280x800.png')
    await page.screenshot({ path: shot })
    expect((await stat(shot)).size).toBeGreaterThan(20_000)
    if (process.env.STATUS_PAGE_SCREENSHOT != null) await copyFile(shot, process.env.STATUS_PAGE_SCREENSHOT)
    // at phone width nothing sticks out sideways (wide tables scroll inside their card)
    await page.setViewportSize({ width: 390, height: 844 })
    await expect.poll(async () => await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)

    peer.process.kill('SIGCONT')
    const result = await pull
    expect(result.bytes).toBe(48 * MIB)
    expect(result.fetchedBytes).toBeGreaterThanOrEqual(48 * MIB) // the files, and their manifest and DAG nodes
    await expect.poll(async () => await text('#pulls'), { timeout: 10_000 }).toBe('No pulls in progress.')
    expect(await text('#held')).toContain(MODEL)
    expect(await page.locator('#holdings tr', { hasText: 'Models' }).locator('td').allTextContents()).toEqual(['Models', '1', '48.0 MiB'])

    // the cache's hit rate: one hit, one miss
    await kit.cache.put('prompt', 'answer')
    expect(await kit.cache.get('prompt')).toBeDefined()
    expect(await kit.cache.get('absent', { remote: false })).toBeUndefined()
    await expect.poll(async () => await text('#cache-rate'), { timeout: 10_000 }).toBe('50 % hits overall')
    // libp2p's connection monitor measures the round trip every 10 s
    await expect.poll(async () => (await page.locator('#peers tbody tr').first().locator('td').allTextContents())[2], { timeout: 20_000 }).toMatch(/^\d+ ms$/)

    expect(requests.length).toBeGreaterThan(5)
    expect(requests.filter(url => !url.startsWith(`${origin}/`))).toEqual([])
    expect(errors).toEqual([])
  }, 90_000)
})
