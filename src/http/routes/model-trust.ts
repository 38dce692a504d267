/**
 * `ipfs-kit/models/trust`, `untrust`, `trusted` and `yank`: the trust
 * commands of the CLI for callers that speak HTTP. `trust`/`untrust` take the
 * org (`arg`) and the publisher id (`publisher`); `yank` takes the model name
 * (`arg`) and `revision`.
 */
import { requiredArg, sendJson } from '../request-context.ts'
import type { RequestContext } from '../request-context.ts'

export async function modelTrust ({ kit, query, res }: RequestContext): Promise<void> {
  const org = requiredArg(query)
  sendJson(res, { Org: org, Publishers: await kit.models.trust(org, requiredArg(query, 'publisher')) })
}

export async function modelUntrust ({ kit, query, res }: RequestContext): Promise<void> {
  const org = requiredArg(query)
  sendJson(res, { Org: org, Publishers: await kit.models.untrust(org, requiredArg(query, 'publisher')) })
}

export async function modelTrusted ({ kit, res }: RequestContext): Promise<void> {
  sendJson(res, { Trust: (await kit.models.trusted()).map(t => ({ Org: t.org, Publishers: t.publishers, Source: t.source })) })
}

export async function modelYank ({ kit, query, signal, res }: RequestContext): Promise<void> {
  const result = await kit.models.yank(requiredArg(query), { revision: query.get('revision') ?? undefined, signal })
  sendJson(res, { Name: result.name, Revision: result.revision, Root: result.root, Publisher: result.publisher })
}
