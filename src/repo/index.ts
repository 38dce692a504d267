export { openRepo } from './open-repo.ts'
export type { Repo, OpenRepoOptions } from './open-repo.ts'
export { MetaStore, encodeJson, decodeJson } from './meta-store.ts'
export type { BatchOp } from './meta-store.ts'
