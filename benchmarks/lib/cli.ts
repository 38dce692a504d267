/** Small helpers the benchmark scripts share: argument checks, waits, and their stderr log. */

export function positiveInt (text: string | undefined, name: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: not a positive integer: ${text}`)
  return n
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Milliseconds as seconds with one decimal. */
export function sec (ms: number): string {
  return (ms / 1000).toFixed(1)
}

/** A progress line on stderr (stdout keeps the table). */
export function log (line: string): void {
  process.stderr.write(line + '\n')
}
