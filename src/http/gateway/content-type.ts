/**
 * The Content-Type of a deserialized file: by the extension of its name when
 * the name is known and common, else sniffed from its first bytes (magic
 * numbers, then "is it UTF-8 text"), else application/octet-stream.
 */

const BY_EXTENSION: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  bin: 'application/octet-stream',
  safetensors: 'application/octet-stream',
  gguf: 'application/octet-stream',
  onnx: 'application/octet-stream',
  pt: 'application/octet-stream'
}

/** Leading bytes of common binary formats. */
const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0x25, 0x50, 0x44, 0x46], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x1f, 0x8b], 'application/gzip'],
  [[0x00, 0x61, 0x73, 0x6d], 'application/wasm']
]

const OCTET_STREAM = 'application/octet-stream'

/** How many leading bytes `contentType` looks at. */
export const SNIFF_BYTES = 512

export function contentType (name: string | undefined, head: Uint8Array): string {
  const dot = name?.lastIndexOf('.') ?? -1
  if (name != null && dot > 0) {
    const known = BY_EXTENSION[name.slice(dot + 1).toLowerCase()]
    if (known != null) return known
  }
  for (const [magic, type] of MAGIC) {
    if (head.byteLength >= magic.length && magic.every((b, i) => head[i] === b)) return type
  }
  if (head.byteLength > 0 && isText(head)) return 'text/plain; charset=utf-8'
  return OCTET_STREAM
}

/** UTF-8 without NUL or other control bytes (tabs and newlines aside); a sequence cut at the end is fine. */
function isText (bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return false
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lastWholeChar(bytes)))
    return true
  } catch {
    return false
  }
}

/** Length of `bytes` without a multi-byte character cut off at the end. */
function lastWholeChar (bytes: Uint8Array): number {
  const i = bytes.byteLength
  for (let back = 1; back <= 3 && i - back >= 0; back++) {
    const b = bytes[i - back] as number
    if ((b & 0xc0) === 0xc0) return i - back // a lead byte: drop it and what follows
    if ((b & 0xc0) !== 0x80) break
  }
  return i
}
