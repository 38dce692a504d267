// `pretest`: test/http/status-page.spec.ts drives Debian's headless Chromium (/usr/bin/chromium)
// through playwright-core. So that README's `npm test` works on a fresh machine, install it when it
// is missing and we can (root, apt-get present); otherwise say which command does, and let the
// test fail with the same message (it fails rather than skips, so it can never silently not run).
// Never fails itself: the rest of the suite does not need Chromium.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CHROMIUM = '/usr/bin/chromium' // the path status-page.spec.ts launches
const INSTALL = 'apt-get update && apt-get install -y chromium'

if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
  if (!root || !apt) {
    const how = apt ? `sudo sh -c '${INSTALL}'` : 'your system\'s package for Chromium, installed at /usr/bin/chromium'
    console.error(`pretest: ${CHROMIUM} is missing and ${apt ? 'this is not root' : 'apt-get is not available'}; test/http/status-page.spec.ts will fail until you install it: ${how}`)
  } else {
    console.error(`pretest: installing Debian's chromium for test/http/status-page.spec.ts (${INSTALL})`)
    const started = Date.now()
    const result = spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
    if (result.status === 0 && existsSync(CHROMIUM)) {
      console.error(`pretest: chromium installed in ${Math.round((Date.now() - started) / 1000)} s`)
    } else {
      console.error(`pretest: installing chromium failed (${result.error?.message ?? `exit ${result.status}`}); test/http/status-page.spec.ts will fail until \`${INSTALL}\` succeeds`)
    }
  }
}
