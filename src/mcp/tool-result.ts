/**
 * What a tool call answers: the operation's JSON result as text (and as
 * structured content when it is an object), or a tool error (`isError`) that
 * names the error and its hint, so that an agent can correct its call.
 */
import { toErrorShape } from '../control/index.ts'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

export function toolResult (value: unknown): CallToolResult {
  const json = value === undefined ? null : value
  const structured = typeof json === 'object' && json !== null && !Array.isArray(json)
  return {
    content: [{ type: 'text', text: JSON.stringify(json, null, 2) }],
    ...(structured ? { structuredContent: json as Record<string, unknown> } : {})
  }
}

export function toolError (err: unknown): CallToolResult {
  const error = toErrorShape(err)
  const text = `${error.name}: ${error.message}${error.hint != null ? `\nhint: ${error.hint}` : ''}`
  return { content: [{ type: 'text', text }], structuredContent: { error }, isError: true }
}
