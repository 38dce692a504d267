/**
 * What the operation registry (registry.ts) says of one operation: enough for
 * every face to serve it without code of its own. The control channel
 * validates a call's arguments with `input` and calls the KitOperations method
 * named `name`; the control client builds that method from `params`; the MCP
 * server lists the operation as the tool `tool`, with `input` as its JSON
 * schema and `annotations` as its hints, checks the arguments named in
 * `paths`, and reports the progress of the operations marked `progress`.
 *
 * Schemas are functions of zod, not zod objects, so that the registry can be
 * read without loading zod: a CLI command run through a daemon builds the
 * client from this list and would otherwise pay zod's ~140 ms start-up.
 */
import type { KitOperations } from './operations.ts'
import type { AbortOptions } from '@libp2p/interface'
import type { ProgressEvent } from 'progress-events'
import type * as zod from 'zod'

/** The zod namespace, as `import { z } from 'zod'` gives it. */
export type Zod = typeof zod.z

/** An operation's JSON input, built from zod when a face needs it. */
export type InputSchema = (z: Zod) => zod.ZodObject

/** Hints for a caller that acts on its own (an agent), as MCP's tool annotations say them. */
export interface OperationAnnotations {
  /** Changes nothing. */
  readOnly: boolean
  /** May delete or replace what exists (a pin, a file, an entry). */
  destructive: boolean
  /** Running it twice with the same input does nothing more than once. */
  idempotent: boolean
  /** Talks to peers (other machines) rather than this node alone. @default false */
  openWorld?: boolean
}

/** What an operation call gets besides its input. */
export interface OperationContext extends AbortOptions {
  onProgress?(event: ProgressEvent): void
  /** Largest byte output an operation puts in its JSON result (`ipfs_cat`, `cache_get`). */
  maxOutputBytes: number
}

/** A result that is not JSON as it is (bytes), as it travels on the control channel and back. */
export interface ResultCodec {
  encode(value: unknown): unknown
  decode(value: unknown): unknown
}

export interface OperationSpec {
  /** The KitOperations method, and the control channel's path (`/v1/<name>`). */
  name: keyof KitOperations & string
  /** The MCP tool: snake_case, prefixed by its area (`ipfs_`, `model_`, `cache_`, `dataset_`, `replication_`). */
  tool: string
  /** What it does, said so that an agent can decide to call it. */
  description: string
  /** The method's positional parameters, in order, taken from the input; the rest of the input is its options. */
  params: readonly string[]
  /** The input as JSON: the method's positional parameters and its options (for `bytes` operations, what `run` takes). */
  input: InputSchema
  annotations: OperationAnnotations
  /** Input fields that name a path on the machine that runs the operation; each face decides which paths it allows. */
  paths?: readonly string[]
  /** Long-running: reports progress through `onProgress`, which the faces forward. */
  progress?: boolean
  /**
   * How the control channel carries it: `json` (the default), the input as JSON and the result
   * as JSON, generic; `bytes`, the channel's own code (a streamed body in or out) and `run`
   * for JSON callers.
   */
  wire?: 'json' | 'bytes'
  /** For a result that is not JSON as it is. */
  codec?: ResultCodec
  /**
   * What a JSON caller (MCP) runs, when the method's input or output is not JSON (bytes in, a
   * stream out) or is better said otherwise (text). @default callOperation, then `codec.encode`
   */
  run?(ops: KitOperations, input: Record<string, unknown>, context: OperationContext): Promise<unknown>
}

type Method = (...args: unknown[]) => Promise<unknown>

/**
 * Run `spec` for a JSON caller with a (valid) input: its `run`, or the method
 * with the result encoded.
 */
export async function runOperation (ops: KitOperations, spec: OperationSpec, input: Record<string, unknown>, context: OperationContext): Promise<unknown> {
  if (spec.run != null) return await spec.run(ops, input, context)
  const result = await callOperation(ops, spec, input, context)
  return spec.codec == null ? result : spec.codec.encode(result)
}

/**
 * Call `spec`'s method on `ops` with a (valid) JSON input: the parameters by
 * position, the other fields and the context as its options.
 *
 * @example
 * await callOperation(ops, PIN_ADD, { cid }, { signal }) // ops.pinAdd(cid, { signal })
 */
export async function callOperation (ops: KitOperations, spec: OperationSpec, input: Record<string, unknown>, context: AbortOptions & { onProgress?(event: ProgressEvent): void } = {}): Promise<unknown> {
  const options: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) if (!spec.params.includes(key) && value !== undefined) options[key] = value
  if (context.signal != null) options.signal = context.signal
  if (context.onProgress != null && spec.progress === true) options.onProgress = context.onProgress
  const method = ops[spec.name] as unknown as Method
  return await method.call(ops, ...spec.params.map(p => input[p]), options)
}

/**
 * The inverse, for a client that implements the method: its arguments as the
 * JSON input, and the options that do not travel (signal, onProgress).
 */
export function operationInput (spec: OperationSpec, args: unknown[]): { input: Record<string, unknown>, options: AbortOptions & { onProgress?(event: ProgressEvent): void } } {
  const input: Record<string, unknown> = {}
  const { signal, onProgress, ...rest } = (args[spec.params.length] ?? {}) as Record<string, unknown> & AbortOptions & { onProgress?(event: ProgressEvent): void }
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) input[key] = value
  spec.params.forEach((p, i) => { input[p] = args[i] })
  return { input, options: { signal, onProgress } }
}
