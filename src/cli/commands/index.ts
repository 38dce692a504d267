/** Every CLI command, in the order help lists them. */
import { add } from './add.ts'
import { cat } from './cat.ts'
import { cacheGet, cacheLs, cachePut, cacheRm, cacheStats } from './cache.ts'
import { configShow, configValidate } from './config.ts'
import { daemon } from './daemon.ts'
import { datasetLs, datasetPreheat, datasetPlan, datasetProviders, datasetPublish, datasetPull } from './dataset.ts'
import { gc } from './gc.ts'
import { get } from './get.ts'
import { id } from './id.ts'
import { init } from './init.ts'
import { ls } from './ls.ts'
import { mcp } from './mcp.ts'
import { keyExport, keyImport } from './key.ts'
import { modelLs, modelPreheat, modelProviders, modelPublish, modelPull, modelTrust, modelTrusted, modelUntrust, modelYank } from './model.ts'
import { pinAdd, pinLs, pinRm } from './pin.ts'
import { rm } from './rm.ts'
import { replicationLs, seedingStats } from './seeding.ts'
import { repair } from './repair.ts'
import { status } from './status.ts'
import { swarmKey } from './swarm-key.ts'
import { verify } from './verify.ts'
import { tier } from './tier.ts'
import type { Command } from '../command.ts'

export const COMMANDS: readonly Command[] = [
  init, daemon, id, add, cat, get, ls, pinAdd, pinRm, pinLs, rm, gc, verify, repair, status, tier, modelPublish, modelProviders, modelPull, modelPreheat, modelLs, modelYank, modelTrust, modelUntrust, modelTrusted, datasetPublish, datasetPlan, datasetPull, datasetProviders, datasetLs, datasetPreheat, cachePut, cacheGet, cacheRm, cacheLs, cacheStats, seedingStats, replicationLs, keyExport, keyImport, mcp, configShow, configValidate, swarmKey
]
