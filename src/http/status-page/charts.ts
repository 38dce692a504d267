/**
 * The page's charts, drawn by hand as inline SVG (no chart library, nothing
 * fetched): stacked areas of rates over time, and a line with gaps. Each chart
 * is redrawn at its element's width, so text stays legible on a phone, and
 * carries `data-points` / `data-last-at` for the browser test.
 */
export const CHARTS = `
const SVGNS = 'http://www.w3.org/2000/svg'
function svgEl (tag, attrs) {
  const e = document.createElementNS(SVGNS, tag)
  for (const k in attrs) e.setAttribute(k, String(attrs[k]))
  return e
}
// the next 1, 2 or 5 × a power of ten above v; with base 1024, of ten within its binary unit (so 2 MiB/s, not 1.9 MiB/s)
function niceMax (v, base) {
  if (!(v > 0)) return 1
  const unit = base == null ? 1 : Math.pow(base, Math.max(0, Math.floor(Math.log(v) / Math.log(base))))
  const p = unit * Math.pow(10, Math.floor(Math.log10(v / unit)))
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p
  return 10 * p
}
function ago (ms) {
  const s = Math.round(ms / 1000)
  return s >= 60 ? '-' + Math.round(s / 60) + ' min' : '-' + s + ' s'
}
// opts: { t0, t1, series: [{ name, color, points: [[t, v|null]] }], stacked, fixedMax, base, format }
function drawChart (host, opts) {
  const W = Math.max(200, host.clientWidth || 600)
  const H = host.clientHeight || 150
  const L = 70, R = 8, T = 8, B = 18
  const x = t => L + (W - L - R) * (opts.t1 === opts.t0 ? 1 : (t - opts.t0) / (opts.t1 - opts.t0))
  let max = 0
  const n = opts.series.length === 0 ? 0 : opts.series[0].points.length
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (const s of opts.series) {
      const v = s.points[i][1]
      if (v == null) continue
      sum = opts.stacked ? sum + v : Math.max(sum, v)
    }
    max = Math.max(max, sum)
  }
  const top = opts.fixedMax ?? niceMax(max, opts.base)
  const y = v => T + (H - T - B) * (1 - Math.min(v, top) / top)
  const svg = svgEl('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img' })
  for (const f of [0, 0.5, 1]) {
    const gy = y(top * f)
    svg.append(svgEl('line', { x1: L, x2: W - R, y1: gy, y2: gy, class: 'grid' }))
    const label = svgEl('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end' })
    label.textContent = opts.format(top * f)
    svg.append(label)
  }
  const span = opts.t1 - opts.t0
  for (const f of [0, 0.5, 1]) {
    const label = svgEl('text', { x: L + (W - L - R) * f, y: H - 4, 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle' })
    label.textContent = f === 1 ? 'now' : ago(span * (1 - f))
    svg.append(label)
  }
  const base = new Array(n).fill(0)
  for (const s of opts.series) {
    // a series that stayed at zero would only draw over the others
    if (opts.stacked && !s.points.some(p => p[1] > 0)) continue
    let line = ''
    let area = ''
    let run = []
    const flush = () => {
      if (run.length === 0) return
      line += run.map((p, j) => (j === 0 ? 'M' : 'L') + p[0].toFixed(1) + ' ' + p[1].toFixed(1)).join('')
      if (opts.stacked) {
        area += run.map((p, j) => (j === 0 ? 'M' : 'L') + p[0].toFixed(1) + ' ' + p[1].toFixed(1)).join('')
        area += run.slice().reverse().map(p => 'L' + p[0].toFixed(1) + ' ' + p[2].toFixed(1)).join('') + 'Z'
      }
      run = []
    }
    s.points.forEach(([t, v], i) => {
      if (v == null) { flush(); return }
      const lo = base[i]
      const hi = opts.stacked ? lo + v : v
      if (opts.stacked) base[i] = hi
      run.push([x(t), y(hi), y(lo)])
    })
    flush()
    if (area !== '') svg.append(svgEl('path', { d: area, fill: s.color, 'fill-opacity': 0.3, stroke: 'none' }))
    if (line !== '') svg.append(svgEl('path', { d: line, fill: 'none', stroke: s.color, 'stroke-width': 1.5, 'data-series': s.name }))
  }
  host.replaceChildren(svg)
  host.dataset.points = String(n)
  host.dataset.lastAt = n > 0 ? String(opts.series[0].points[n - 1][0]) : ''
}
`
