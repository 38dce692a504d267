/** The HTTP status a gateway answers for an error. */
import { RpcError } from '../rpc-error.ts'

const BY_NAME: Record<string, number> = {
  InvalidCIDError: 400,
  UnsupportedHashError: 400,
  UnsafePathError: 400,
  InvalidInputError: 400,
  NotFoundError: 404,
  UnsupportedContentError: 501,
  AbortError: 499
}

export function gatewayStatus (err: unknown): number {
  if (err instanceof RpcError) return err.status
  const name = (err as { name?: string } | undefined)?.name
  return (name != null ? BY_NAME[name] : undefined) ?? 500
}
