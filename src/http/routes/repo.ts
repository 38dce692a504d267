/** `repo/gc` and `repo/stat`. */
import { sendJson, sendJsonLines } from '../request-context.ts'
import type { RequestContext } from '../request-context.ts'

export async function repoGc ({ kit, signal, res }: RequestContext): Promise<void> {
  const removed: Array<{ Key: { '/': string } }> = []
  await kit.storage.gc({
    signal,
    onProgress: (event: any) => {
      if (event.type === 'gc:remove') removed.push({ Key: { '/': event.detail.cid.toString() } })
    }
  })
  await sendJsonLines(res, removed, signal)
}

export async function repoStat ({ kit, res }: RequestContext): Promise<void> {
  const { repo } = await kit.storage.status()
  sendJson(res, {
    RepoSize: repo.bytes,
    StorageMax: kit.config.ipfs_kit.performance.max_cache_size,
    NumObjects: repo.blocks,
    RepoPath: kit.dataDir,
    Version: 'ipfs-kit-repo@1'
  })
}
