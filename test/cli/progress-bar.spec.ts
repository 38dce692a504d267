/** The progress bar's rendering, with a fake clock and a fake terminal. */
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ProgressBar, formatDuration, importProgress } from '../../src/cli/progress-bar.ts'
import { CustomProgressEvent } from 'progress-events'
import type { Io } from '../../src/cli/output.ts'

const MiB = 1024 * 1024

function terminal (columns = 100): Writable & { columns: number, isTTY: boolean, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk, _enc, cb) { text += String(chunk); cb() } }) as Writable & { columns: number, isTTY: boolean, text: () => string }
  stream.columns = columns
  stream.isTTY = true
  stream.text = () => text
  return stream
}

describe('ProgressBar', () => {
  it('shows percent, bytes, rate and time left', () => {
    let now = 0
    const bar = new ProgressBar({ stream: terminal(), now: () => now })
    bar.update(0, 100 * MiB)
    now = 2000
    expect(bar.render(25 * MiB, 100 * MiB)).toBe('adding  25% [##########------------------------------] 25.0 MiB / 100.0 MiB  12.5 MiB/s  ETA 0:06')
  })

  it('shows bytes and rate when the total is unknown (stdin)', () => {
    let now = 0
    const bar = new ProgressBar({ stream: terminal(), now: () => now })
    bar.update(0, undefined)
    now = 4000
    expect(bar.render(8 * MiB, undefined)).toBe('adding 8.00 MiB  2.00 MiB/s')
  })

  it('redraws at most ten times a second, always at 100%, and clears its line when done', () => {
    let now = 0
    const stream = terminal()
    const bar = new ProgressBar({ stream, now: () => now })
    for (let i = 0; i < 50; i++) {
      now = i * 20
      bar.update(i * MiB, 50 * MiB)
    }
    bar.update(50 * MiB, 50 * MiB)
    const draws = stream.text().split('\r').filter(Boolean)
    expect(draws).toHaveLength(11)
    expect(draws.at(-1)).toMatch(/^adding 100% \[#+\] 50\.0 MiB \/ 50\.0 MiB .*ETA 0:00/)
    expect(draws.at(-1)?.endsWith('\x1b[K')).toBe(true)
    bar.done()
    expect(stream.text().endsWith('\r\x1b[K')).toBe(true)
  })

  it('shows no rate or time left in the first half second', () => {
    let now = 0
    const bar = new ProgressBar({ stream: terminal(), now: () => now })
    now = 20
    expect(bar.render(MiB, 10 * MiB)).toMatch(/^adding {2}10% \[#+-+\] 1\.00 MiB \/ 10\.0 MiB {2}-- B\/s {2}ETA --:--$/)
  })

  it('fits a narrow terminal', () => {
    let now = 0
    const bar = new ProgressBar({ stream: terminal(60), now: () => now })
    now = 1000
    const line = bar.render(5, 10)
    expect(line.length).toBeLessThanOrEqual(60)
    expect(line).toMatch(/ 50% \[(#+)(-+)\] /)
    const [, done, left] = /\[(#+)(-+)\]/.exec(line) ?? []
    expect(done?.length).toBe(Math.round(((done?.length ?? 0) + (left?.length ?? 0)) / 2))
  })

  it('formats durations as m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00')
    expect(formatDuration(61.2)).toBe('1:02')
    expect(formatDuration(3 * 3600 + 5)).toBe('3:00:05')
  })

  it('draws from storage:store:chunk events only when stderr is a terminal', () => {
    const tty = terminal()
    const io = { stdout: terminal(), stderr: tty, stdin: () => { throw new Error('unused') } } as unknown as Io
    const progress = importProgress(io)
    progress.onProgress?.(new CustomProgressEvent('storage:store:chunk', { bytes: 5, total: 5 }))
    expect(tty.text()).toMatch(/^\radding 100% /)

    const pipe = terminal()
    pipe.isTTY = false
    expect(importProgress({ ...io, stderr: pipe }).onProgress).toBeUndefined()
  })
})
