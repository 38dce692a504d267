/** Operations on datasets: publish, plan, pull a share, find, list. */
import { preheatOperation } from './seeding.ts'
import type { OperationSpec } from '../operation-spec.ts'

const datasetName = 'dataset name, `org/name`'
const revision = 'dataset revision (default: main)'

export const DATASET_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'datasetPublish',
    tool: 'dataset_publish',
    description: 'Publish a dataset directory on the server\'s machine (under its allowed paths) under a name: every file is a shard (with shardSize, .jsonl/.csv/.txt files larger than it are split at line boundaries), stored, pinned, listed in a signed manifest and announced. Unchanged files are not imported again. Reports progress per file.',
    params: ['dir'],
    input: z => z.object({
      dir: z.string().min(1).describe('the dataset directory; relative paths are relative to the server\'s working directory'),
      name: z.string().min(1).describe(datasetName),
      revision: z.string().min(1).optional().describe(revision),
      shardSize: z.number().int().positive().optional().describe('split line-based files larger than this many bytes into shards of about this size')
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    paths: ['dir'],
    progress: true
  },
  {
    name: 'datasetPlan',
    tool: 'dataset_plan',
    description: 'The shards one rank of a world gets: deterministic from the manifest, disjoint across ranks, complete together, balanced by bytes, stable when the world changes by one.',
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(datasetName),
      rank: z.number().int().min(0).describe('this worker\'s rank, 0 … world − 1'),
      world: z.number().int().min(1).describe('the number of workers'),
      revision: z.string().min(1).optional().describe(revision)
    }),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true }
  },
  {
    name: 'datasetPull',
    tool: 'dataset_pull',
    description: 'Fetch this worker\'s share of a dataset (rank and world, or a group whose live members share it) from every peer that holds it, verify every block, pin it and serve it; optionally write the shards under `dest` with their published paths. Resumable: call again after a failure. Reports byte progress.',
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(datasetName),
      rank: z.number().int().min(0).optional().describe('this worker\'s rank (with world)'),
      world: z.number().int().min(1).optional().describe('the number of workers (with rank)'),
      group: z.string().min(1).optional().describe('an elastic group name instead of rank and world'),
      revision: z.string().min(1).optional().describe(revision),
      dest: z.string().min(1).optional().describe('write the shards under this directory (under the server\'s allowed paths)'),
      force: z.boolean().optional().describe('replace files under dest that this dataset did not write')
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    paths: ['dest'],
    progress: true
  },
  {
    name: 'datasetProviders',
    tool: 'dataset_providers',
    description: 'Find the peers that hold a dataset: peer id, addresses, manifest root, revision, publisher.',
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(datasetName),
      revision: z.string().min(1).optional().describe(revision),
      timeoutMs: z.number().int().positive().optional().describe('how long to wait for the DHT, ms')
    }),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true }
  },
  {
    name: 'datasetList',
    tool: 'dataset_ls',
    description: 'List the datasets this node holds (published or pulled): name, revision, manifest root.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  preheatOperation('dataset', { nameDescription: datasetName, revisionDescription: revision, what: 'a whole dataset' })
]
