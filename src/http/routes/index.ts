/** The RPC commands this node answers, by their path under `/api/v0/`. */
import { add } from './add.ts'
import { blockGet, blockPut, blockStat } from './block.ts'
import { cat } from './cat.ts'
import { dagExport, dagImport } from './dag.ts'
import { get } from './get.ts'
import { ls } from './ls.ts'
import { modelProviders } from './models.ts'
import { datasetPlan, datasetProviders, datasetPublish, datasetPull } from './datasets.ts'
import { modelPublish, modelPull } from './models-publish-pull.ts'
import { modelTrust, modelTrusted, modelUntrust, modelYank } from './model-trust.ts'
import { cacheGet, cacheKey, cachePut, cacheRm, cacheStats } from './cache.ts'
import { replicationLs, seedingStats } from './seeding.ts'
import { findProviders, id, status, swarmPeers, version } from './node-info.ts'
import { pinAdd, pinLs, pinRm } from './pin.ts'
import { repoGc, repoStat } from './repo.ts'
import { storageExists, storageLs, storageRm, storageStore } from './storage.ts'
import type { RouteHandler } from '../request-context.ts'

export const ROUTES: ReadonlyMap<string, RouteHandler> = new Map([
  ['add', add],
  ['cat', cat],
  ['block/get', blockGet],
  ['block/put', blockPut],
  ['block/stat', blockStat],
  ['pin/add', pinAdd],
  ['pin/rm', pinRm],
  ['pin/ls', pinLs],
  ['repo/gc', repoGc],
  ['repo/stat', repoStat],
  ['id', id],
  ['version', version],
  ['swarm/peers', swarmPeers],
  ['routing/findprovs', findProviders],
  ['ipfs-kit/status', status],
  ['ipfs-kit/models/providers', modelProviders],
  ['ls', ls],
  ['get', get],
  ['dag/export', dagExport],
  ['dag/import', dagImport],
  ['ipfs-kit/models/publish', modelPublish],
  ['ipfs-kit/models/pull', modelPull],
  ['ipfs-kit/models/trust', modelTrust],
  ['ipfs-kit/models/untrust', modelUntrust],
  ['ipfs-kit/models/trusted', modelTrusted],
  ['ipfs-kit/models/yank', modelYank],
  ['ipfs-kit/cache/put', cachePut],
  ['ipfs-kit/cache/get', cacheGet],
  ['ipfs-kit/cache/stats', cacheStats],
  ['ipfs-kit/seeding/stats', seedingStats],
  ['ipfs-kit/replication/ls', replicationLs],
  ['ipfs-kit/cache/rm', cacheRm],
  ['ipfs-kit/cache/key', cacheKey],
  ['ipfs-kit/storage/store', storageStore],
  ['ipfs-kit/storage/ls', storageLs],
  ['ipfs-kit/storage/exists', storageExists],
  ['ipfs-kit/storage/rm', storageRm],
  ['ipfs-kit/datasets/providers', datasetProviders],
  ['ipfs-kit/datasets/plan', datasetPlan],
  ['ipfs-kit/datasets/pull', datasetPull],
  ['ipfs-kit/datasets/publish', datasetPublish]
])
