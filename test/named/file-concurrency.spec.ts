import { describe, expect, it } from 'vitest'
import { MODEL_PULL_FILE_CONCURRENCY, MODEL_PULL_MAX_FILE_CONCURRENCY } from '../../src/constants.ts'
import { fileConcurrency } from '../../src/named/fetch-files.ts'
import type { ManifestFile } from '../../src/named/manifest.ts'

const MiB = 1024 * 1024
const files = (count: number, size: number): ManifestFile[] => Array.from({ length: count }, (_, i) => ({ path: `f${i}`, size, sha256: '', cid: '' }) as unknown as ManifestFile)

describe('files a pull fetches at once', () => {
  it('keeps about 128 leaves wanted: 16 shards of 4 MiB at once, 4 files of a large model', () => {
    expect(fileConcurrency(files(64, 4 * MiB))).toBe(MODEL_PULL_MAX_FILE_CONCURRENCY)
    expect(fileConcurrency(files(64, 16 * MiB))).toBe(8)
    expect(fileConcurrency(files(3, 128 * MiB))).toBe(MODEL_PULL_FILE_CONCURRENCY)
    expect(fileConcurrency(files(1000, 10 * 1024))).toBe(MODEL_PULL_MAX_FILE_CONCURRENCY)
    expect(fileConcurrency([])).toBe(1)
  })
})
