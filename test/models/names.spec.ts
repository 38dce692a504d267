import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { assertModelName, assertRelativePath, assertRevision, decodeManifest, encodeManifest, MANIFEST_TYPE, MANIFEST_VERSION } from '../../src/models/index.ts'
import * as dagJson from '@ipld/dag-json'

const CID_A = CID.parse('bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e')
const SHA = 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'

describe('model names, revisions and paths', () => {
  it.each(['meta-llama/Llama-3.2-1B', 'org/name', 'a/b', 'Org_1/model.v2', 'google-bert/bert-base-uncased'])('accepts %s', name => {
    expect(() => { assertModelName(name) }).not.toThrow()
  })

  it.each(['name', 'a/b/c', '../x', 'org/..', 'org/.hidden', '/org/name', 'org/name/', 'org\\name', 'org/na\0me', 'org/ name', '', 'org/' + 'x'.repeat(97), 'org/..model'])('refuses %j with InvalidModelNameError', name => {
    expect(() => { assertModelName(name) }).toThrow(expect.objectContaining({ name: 'InvalidModelNameError' }))
  })

  it.each(['acme--x/y', 'acme/x--y', 'a--/b', 'acme/x---y'])('refuses %j: "--" would share a Hugging Face cache folder (models--org--name) with another name', name => {
    expect(() => { assertModelName(name) }).toThrow(expect.objectContaining({ name: 'InvalidModelNameError', message: expect.stringContaining('"--"') }))
  })

  it.each(['main', 'v1.0', 'refs-pr-1', 'a1b2c3d4'])('accepts revision %s', rev => {
    expect(() => { assertRevision(rev) }).not.toThrow()
  })

  it.each(['', '../main', 'refs/pr/1', 'main\0', '.main', 'a..b'])('refuses revision %j', rev => {
    expect(() => { assertRevision(rev) }).toThrow(expect.objectContaining({ name: 'InvalidModelNameError' }))
  })

  it.each(['config.json', 'sub/dir/tokenizer.json', 'model-00001-of-00002.safetensors', '.gitattributes', 'console.txt', 'com0', 'com10.bin', 'lpt', 'auxiliary/x', 'nul_count.json', 'a.b/c'])('accepts path %s', p => {
    expect(() => { assertRelativePath(p) }).not.toThrow()
  })

  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a/./b', 'a//b', 'a\\b', 'a\0b', 'C:/x', 'a/\nb', '..'])('refuses path %j with UnsafePathError', p => {
    expect(() => { assertRelativePath(p) }).toThrow(expect.objectContaining({ name: 'UnsafePathError' }))
  })

  it.each([
    'CON', 'con', 'PRN', 'Aux', 'NUL', 'nul.txt', 'sub/NUL.tar.gz', 'COM1', 'com9.log', 'LPT1', 'lpt9', 'CON/x', // device names, any case, with or without extension, at any depth
    'weights.bin:hidden', 'a:b/c', // alternate data streams
    'config.json.', 'dir./x', 'file ', 'dir /x' // trailing dot or space, dropped by Windows
  ])('refuses %j, which would not land as itself on Windows', p => {
    expect(() => { assertRelativePath(p) }).toThrow(expect.objectContaining({ name: 'UnsafePathError' }))
  })
})

describe('model manifests', () => {
  const manifest = (files: unknown[], extra: Record<string, unknown> = {}): Uint8Array => dagJson.encode({ type: MANIFEST_TYPE, version: MANIFEST_VERSION, name: 'org/m', revision: 'main', created: '2026-01-01T00:00:00Z', files, ...extra })

  it('round-trips and gives the same CID for the same files in any order', async () => {
    const files = [{ path: 'b.bin', size: 11, sha256: SHA, cid: CID_A }, { path: 'a.json', size: 11, sha256: SHA, cid: CID_A }]
    const one = await encodeManifest({ type: MANIFEST_TYPE, version: MANIFEST_VERSION, name: 'org/m', revision: 'main', created: 'x', files })
    const two = await encodeManifest({ type: MANIFEST_TYPE, version: MANIFEST_VERSION, name: 'org/m', revision: 'main', created: 'x', files: [...files].reverse() })
    expect(one.cid.equals(two.cid)).toBe(true)
    expect(decodeManifest(one.bytes).files.map(f => f.path)).toEqual(['a.json', 'b.bin'])
  })

  it.each([
    ['an escaping path', [{ path: '../../etc/cron.d/x', size: 1, sha256: SHA, cid: CID_A }], 'UnsafePathError'],
    ['an absolute path', [{ path: '/root/.ssh/authorized_keys', size: 1, sha256: SHA, cid: CID_A }], 'UnsafePathError'],
    ['a duplicate path', [{ path: 'a', size: 1, sha256: SHA, cid: CID_A }, { path: 'a', size: 1, sha256: SHA, cid: CID_A }], 'InvalidInputError'],
    ['a CID that is a string, not a link', [{ path: 'a', size: 1, sha256: SHA, cid: CID_A.toString() }], 'InvalidInputError'],
    ['a negative size', [{ path: 'a', size: -1, sha256: SHA, cid: CID_A }], 'InvalidInputError'],
    ['a path that is a file and a directory', [{ path: 'a', size: 1, sha256: SHA, cid: CID_A }, { path: 'a/b', size: 1, sha256: SHA, cid: CID_A }], 'InvalidInputError'],
    ['a bad sha256', [{ path: 'a', size: 1, sha256: 'zz', cid: CID_A }], 'InvalidInputError']
  ])('refuses a manifest with %s', (_, files, name) => {
    expect(() => decodeManifest(manifest(files))).toThrow(expect.objectContaining({ name }))
  })

  it('refuses a manifest for a malformed name, and bytes that are not a manifest', () => {
    expect(() => decodeManifest(manifest([], { name: '../../x' }))).toThrow(expect.objectContaining({ name: 'InvalidModelNameError' }))
    expect(() => decodeManifest(new TextEncoder().encode('{"hello":1}'))).toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    expect(() => decodeManifest(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
  })
})
