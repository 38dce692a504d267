/** Markdown tables and number formatting for benchmark reports. */

export type Align = 'left' | 'right'

/** A markdown table whose columns are padded to line up in a terminal too. */
export function markdownTable (headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const pad = (cell: string, i: number): string => (align[i] ?? 'left') === 'right'
    ? cell.padStart(widths[i] ?? 0)
    : cell.padEnd(widths[i] ?? 0)
  const line = (cells: string[]): string => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (align[i] === 'right' ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`
  return [line(headers), rule, ...rows.map(r => line(headers.map((_, i) => r[i] ?? '')))].join('\n')
}

/** A number with `digits` significant figures at most, and no exponent. */
export function fmt (value: number | undefined, digits = 3): string {
  if (value == null || !Number.isFinite(value)) return '—'
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toString()
  return Number(value.toPrecision(digits)).toString()
}

/** A ratio with its target, e.g. `1.52× ✓ (≥ 1.2)`. */
export function fmtRatio (ratio: number | undefined, target?: number): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—'
  const text = `${ratio.toFixed(2)}×`
  if (target == null) return text
  return `${text} ${ratio >= target ? '✓' : '✗'} (≥ ${target})`
}

/** Bytes as the largest binary unit that divides them evenly enough: `64 MiB`, `1 GiB`. */
export function fmtBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number(value.toPrecision(4))} ${units[unit]}`
}
