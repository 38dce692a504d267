/** Parsing `--api` / `backends.ipfs.api_endpoint`, and what counts as loopback. */
import { describe, expect, it } from 'vitest'
import { isLoopback, parseApiAddress } from '../../src/http/index.ts'

describe('parseApiAddress', () => {
  it.each([
    ['127.0.0.1:5001', '127.0.0.1', 5001],
    ['http://127.0.0.1:5001', '127.0.0.1', 5001],
    ['localhost:0', 'localhost', 0],
    ['[::1]:5002', '::1', 5002],
    ['/ip4/127.0.0.1/tcp/5001', '127.0.0.1', 5001]
  ])('reads %s', (input, host, port) => {
    expect(parseApiAddress(input)).toEqual({ host, port })
  })

  it.each(['127.0.0.1', 'ftp://127.0.0.1:21', '127.0.0.1:70000', 'http://127.0.0.1:5001/api', ''])('refuses %j with a ConfigError naming the source', input => {
    expect(() => parseApiAddress(input, 'backends.ipfs.api_endpoint')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('backends.ipfs.api_endpoint') }))
  })
})

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost, and nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].filter(isLoopback)).toHaveLength(5)
    expect(['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '127.0.0.1.nip.io'].filter(isLoopback)).toEqual([])
  })
})
