/**
 * The status page in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) loads `/` from a real server and kit, shows the
 * node's peer id, repo size and pin count, and updates itself after a store
 * and a pin.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { createRpcServer } from '../../src/http/index.ts'
import { MIB, patternBytes } from '../fixtures/bytes.ts'
import { Sandbox } from '../fixtures/sandbox.ts'
import type { RpcServer } from '../../src/http/index.ts'
import type { Browser } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'
const sandbox = new Sandbox()
let server: RpcServer | undefined
let browser: Browser | undefined

afterEach(async () => {
  await browser?.close()
  await server?.stop()
  await sandbox.cleanup()
})

describe('status page', () => {
  it('shows the real peer id, repo size and pin count, and updates after a store and a pin', async () => {
    // `npm test`'s pretest (scripts/ensure-chromium.js) installs it; failing here (not skipping) keeps the test from silently not running
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true)
    const kit = await sandbox.kit()
    server = createRpcServer(kit, { host: '127.0.0.1', port: 0 })
    await server.start()
    browser = await chromium.launch({ executablePath: CHROMIUM })
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', err => errors.push(err.message))
    page.on('console', msg => { if (msg.type() === 'error') errors.push(msg.text()) })
    await page.goto(`${server.url}/`)

    const text = async (id: string): Promise<string> => (await page.locator(`#${id}`).textContent()) ?? ''
    await expect.poll(async () => await text('peer-id'), { timeout: 10_000 }).toBe(kit.peerId.toString())
    expect(await text('mode')).toBe('offline')
    expect(await text('pins')).toBe('0')
    expect(await text('repo-bytes')).toBe('0 B')
    expect(await text('pinned-bytes')).toBe('0 B')
    expect(await text('pulling-empty')).toBe('none')

    const bytes = patternBytes(2 * MIB + 10)
    const cid = await kit.storage.store(bytes, { pin: false })
    expect(await kit.storage.pin(cid)).toBe(true)
    const { repo } = await kit.storage.status()
    await expect.poll(async () => await text('pins'), { timeout: 10_000 }).toBe('1')
    expect(await page.locator('#repo-bytes').getAttribute('data-bytes')).toBe(String(repo.bytes))
    expect(await text('repo-bytes')).toBe('2.0 MiB')
    // everything stored is pinned
    expect(repo.pinnedBytes).toBe(repo.bytes)
    expect(await text('pinned-bytes')).toBe('2.0 MiB')
    expect(await text('blocks')).toBe(String(repo.blocks))
    expect(await text('operations')).toContain('store 1')
    expect(await text('operations')).toContain('pin 1')
    expect(errors).toEqual([])
  })
})
