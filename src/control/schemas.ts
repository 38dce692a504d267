/**
 * The registry's input schemas, built on first use: zod is loaded by the
 * daemon and the MCP server, which validate, and never by a CLI command that
 * only sends a call through the daemon.
 */
import type { OperationSpec } from './operation-spec.ts'
import type { ZodObject, core } from 'zod'

const built = new Map<OperationSpec, ZodObject>()

/** `spec`'s input schema (one object per spec, so callers may keep it). */
export async function inputSchema (spec: OperationSpec): Promise<ZodObject> {
  let schema = built.get(spec)
  if (schema == null) {
    const { z } = await import('zod')
    schema = spec.input(z)
    built.set(spec, schema)
  }
  return schema
}

/** A failed parse as one line naming each bad field. */
export function describeIssues (issues: readonly core.$ZodIssue[]): string {
  return issues.map(issue => issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`).join('; ')
}
