// `npm run test:coverage [-- <vitest args> | --report-only]`: line and branch coverage of src/,
// per folder, counted over every process that runs the library, not just vitest's own workers.
//
// 1. Build dist/ (tsc, with source maps).
// 2. Run vitest with its v8 coverage (`coverage` in vitest.config.ts) for the code the tests run
//    in-process. Child processes (the CLI, daemons, cluster peers) run the built dist/ (
//    IPFS_KIT_PEER_RUNTIME=dist) with NODE_V8_COVERAGE set (test/fixtures/child-coverage.ts), so
//    Node writes their raw V8 coverage into coverage/children-v8/ when they exit.
// 3. Merge the children's counts per script, map dist/src/*.js back to src/*.ts through the source
//    maps with the converter vitest itself uses (ast-v8-to-istanbul), and add the counts to
//    vitest's map item by item (addCounts says why not istanbul's own merge).
// 4. Print a table per src/ folder and write coverage/summary.md and coverage/coverage-final.json.
//
// What is not counted: children killed by a signal they do not handle (the fault tests' SIGKILLs)
// write no coverage, and children run through tsx (test/examples.spec.ts) are left out, since their
// transpiled code is not on disk; the summary says how many such scripts it skipped.
// ast-v8-to-istanbul, istanbul-lib-coverage and @bcoe/v8-coverage come with @vitest/coverage-v8.
import { mergeProcessCovs } from '@bcoe/v8-coverage'
import astV8ToIstanbul from 'ast-v8-to-istanbul'
import libCoverage from 'istanbul-lib-coverage'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseAstAsync } from 'vitest/node'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'coverage')
const CHILDREN = join(OUT, 'children-v8')
/** A folder under this is reported as needing work. */
const TARGET = 80

// `--report-only`: recompute the table from the last run's coverage/ without running anything
const reportOnly = process.argv[2] === '--report-only'
let tests = 0
if (!reportOnly) {
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(CHILDREN, { recursive: true })
  step('build', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])
  tests = step('vitest', [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--coverage.enabled', '--outputFile.json=coverage/results.json', ...process.argv.slice(2)], {
    IPFS_KIT_PEER_RUNTIME: 'dist',
    IPFS_KIT_CHILD_V8_COVERAGE: CHILDREN
  })
}

const inProcessFile = join(OUT, 'in-process', 'coverage-final.json')
const inProcess = libCoverage.createCoverageMap(JSON.parse(readFileSync(inProcessFile, 'utf8')))
const mergedData = JSON.parse(readFileSync(inProcessFile, 'utf8'))
const children = await childCoverage()
const unmatched = addCounts(mergedData, children.map.toJSON())
const merged = libCoverage.createCoverageMap(mergedData)
writeFileSync(join(OUT, 'coverage-final.json'), JSON.stringify(mergedData))

const table = [
  `Coverage of src/ (lines and branches, %), ${new Date().toISOString().slice(0, 10)}: vitest's workers plus ${children.processes} child processes.`,
  '',
  ...render(merged, inProcess),
  '',
  `Folders under ${TARGET}% lines or branches are marked ✗. Not counted: ${children.tsxScripts} scripts run through tsx in child processes (test/examples.spec.ts), and children killed by SIGKILL.`,
  `${unmatched} of the children's statements, functions and branches had no counterpart in vitest's map and were added as they are.`
].join('\n')
writeFileSync(join(OUT, 'summary.md'), table + '\n')
console.log(`\n${table}\n\nwritten: coverage/summary.md, coverage/coverage-final.json`)
process.exitCode = tests

/** Run a Node script from the repo root; returns its exit status. */
function step (name, args, env = {}) {
  console.log(`== ${name}: ${args.map(a => relative(ROOT, a) || a).join(' ')}`)
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.error != null) throw result.error
  if (name === 'build' && result.status !== 0) process.exit(result.status ?? 1)
  return result.status ?? 1
}

/** The children's V8 coverage of dist/src, summed over processes and mapped back to src/. */
async function childCoverage () {
  const distSrc = pathToFileURL(join(ROOT, 'dist', 'src')).href + '/'
  const src = pathToFileURL(join(ROOT, 'src')).href + '/'
  const tsx = new Set()
  const covs = []
  const files = readdirSync(CHILDREN).filter(f => f.endsWith('.json'))
  for (const file of files) {
    const { result } = JSON.parse(readFileSync(join(CHILDREN, file), 'utf8'))
    for (const script of result) if (script.url.startsWith(src)) tsx.add(script.url)
    // only our own code: the rest (node internals, node_modules) is most of each file
    covs.push({ result: result.filter(s => s.url.startsWith(distSrc) && s.url.endsWith('.js')) })
  }
  const map = libCoverage.createCoverageMap({})
  for (const script of covs.length === 0 ? [] : mergeProcessCovs(covs).result) {
    const path = fileURLToPath(script.url)
    const code = readFileSync(path, 'utf8')
    const sourceMap = JSON.parse(readFileSync(`${path}.map`, 'utf8'))
    map.merge(await astV8ToIstanbul({ code, sourceMap, ast: await parseAstAsync(code), coverage: { url: script.url, functions: script.functions }, wrapperLength: 0 }))
  }
  return { map, processes: files.length, tsxScripts: tsx.size }
}

/**
 * Add the children's hit counts to vitest's map, file by file. Both maps come from
 * ast-v8-to-istanbul over the same TypeScript, but through different transpilers (vite's, tsc's)
 * whose source maps place some positions differently (an arrow function starting at `find(` rather
 * than at its parameter), so istanbul's own merge, which keys on exact positions, would count such
 * an item twice. Here the k-th statement (function, branch of a type) starting on a line is matched
 * with the k-th on that line in the other map. Returns how many items found no match (added as
 * they are, not dropped).
 */
function addCounts (base, extra) {
  let unmatched = 0
  for (const [path, file] of Object.entries(extra)) {
    const into = base[path]
    if (into == null) { base[path] = file; continue }
    for (const [mapKey, hitKey, locOf, kindOf] of [
      ['statementMap', 's', item => item, () => ''],
      ['fnMap', 'f', item => item.decl ?? item.loc, () => ''],
      ['branchMap', 'b', item => item.loc ?? item.locations[0], item => item.type]
    ]) {
      const ids = new Map([...ordinalKeys(into[mapKey], locOf, kindOf)].map(([id, key]) => [key, id]))
      let next = Object.keys(into[mapKey]).length
      for (const [id, key] of ordinalKeys(file[mapKey], locOf, kindOf)) {
        const target = ids.get(key)
        const hits = file[hitKey][id]
        if (target == null || (hitKey === 'b' && into.b[target].length !== hits.length)) {
          unmatched++
          into[mapKey][next] = file[mapKey][id]
          into[hitKey][next] = hits
          next++
        } else if (hitKey === 'b') {
          into.b[target] = into.b[target].map((n, i) => n + hits[i])
        } else {
          into[hitKey][target] += hits
        }
      }
    }
  }
  return unmatched
}

/** id → `kind@line#k`: the item is the k-th of its kind starting on that line, by column. */
function ordinalKeys (items, locOf, kindOf) {
  const sorted = Object.entries(items).sort(([, a], [, b]) => {
    const la = locOf(a).start
    const lb = locOf(b).start
    return la.line - lb.line || (la.column ?? 0) - (lb.column ?? 0)
  })
  const seen = new Map()
  const keys = new Map()
  for (const [id, item] of sorted) {
    const line = `${kindOf(item)}@${locOf(item).start.line}`
    const k = seen.get(line) ?? 0
    seen.set(line, k + 1)
    keys.set(id, `${line}#${k}`)
  }
  return keys
}

/** The per-folder table (markdown): merged figures, and the in-process ones for comparison. */
function render (map, before) {
  const rows = new Map()
  const add = (key, file, which, summary) => {
    const row = rows.get(key) ?? { files: new Set(), lines: [0, 0], branches: [0, 0], inLines: [0, 0] }
    row.files.add(file)
    if (which === 'merged') {
      row.lines[0] += summary.lines.covered; row.lines[1] += summary.lines.total
      row.branches[0] += summary.branches.covered; row.branches[1] += summary.branches.total
    } else {
      row.inLines[0] += summary.lines.covered; row.inLines[1] += summary.lines.total
    }
    rows.set(key, row)
  }
  for (const [which, m] of [['merged', map], ['in-process', before]]) {
    for (const file of m.files()) {
      const rel = relative(join(ROOT, 'src'), file)
      if (rel.startsWith('..')) continue
      const folder = rel.includes(sep) ? `src/${rel.split(sep)[0]}` : 'src/*.ts'
      const summary = m.fileCoverageFor(file).toSummary().toJSON()
      add(folder, file, which, summary)
      add('all of src/', file, which, summary)
    }
  }
  const pct = ([covered, total]) => total === 0 ? 100 : 100 * covered / total
  const fmt = pair => pct(pair).toFixed(1)
  const out = ['| folder | files | lines | branches | lines, in-process only | |', '|---|--:|--:|--:|--:|:-:|']
  const keys = [...rows.keys()].filter(k => k !== 'all of src/').sort()
  for (const key of [...keys, 'all of src/']) {
    const r = rows.get(key)
    const low = pct(r.lines) < TARGET || pct(r.branches) < TARGET
    const name = key === 'all of src/' ? '**all of src/**' : key
    out.push(`| ${name} | ${r.files.size} | ${fmt(r.lines)} | ${fmt(r.branches)} | ${fmt(r.inLines)} | ${low ? '✗' : ''} |`)
  }
  return out
}
