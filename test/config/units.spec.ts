import { describe, expect, it } from 'vitest'
import { parseDuration, parseSize } from '../../src/config/index.ts'

describe('parseSize', () => {
  it.each([
    ['10GB', 10e9],
    ['10gb', 10e9],
    ['1.5GB', 1.5e9],
    ['1KB', 1000],
    ['2TB', 2e12],
    ['100MB', 100e6],
    ['512MiB', 512 * 1024 ** 2],
    ['1KiB', 1024],
    ['4GiB', 4 * 1024 ** 3],
    ['1TiB', 1024 ** 4],
    ['64M', 64 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['1048576', 1_048_576],
    ['0', 0],
    ['100B', 100],
    [' 10 GB ', 10e9]
  ])('reads %j as %d bytes', (input, expected) => {
    expect(parseSize(input)).toBe(expected)
  })

  it('takes plain numbers as bytes', () => {
    expect(parseSize(1_048_576)).toBe(1_048_576)
    expect(parseSize(0)).toBe(0)
  })

  it.each(['', 'GB', '10XB', '10 gigs', '-1', '-1GB', '1e3', '0x10', 'ten'])('rejects %j', input => {
    expect(parseSize(input)).toBeUndefined()
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])('rejects the number %d', input => {
    expect(parseSize(input)).toBeUndefined()
  })

  it('rejects a size too large to count exactly', () => {
    expect(parseSize('100000TiB')).toBeUndefined()
  })
})

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['30m', 1_800_000],
    ['15s', 15_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['1.5h', 5_400_000],
    ['250', 250],
    ['1H', 3_600_000],
    [' 10 s ', 10_000]
  ])('reads %j as %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected)
  })

  it('takes plain numbers as milliseconds', () => {
    expect(parseDuration(1500)).toBe(1500)
    expect(parseDuration(0)).toBe(0)
  })

  it.each(['', 'h', 'soon', '1y', '1w', '-5s', '1h30m', 'every hour'])('rejects %j', input => {
    expect(parseDuration(input)).toBeUndefined()
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', input => {
    expect(parseDuration(input)).toBeUndefined()
  })
})
