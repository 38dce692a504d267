/** Operations on models: publish, find, pull, list, yank, trust. */
import { preheatOperation } from './seeding.ts'
import type { OperationSpec } from '../operation-spec.ts'

const modelName = 'model name, Hugging Face style `org/name`'
const revision = 'model revision (default: main)'

export const MODEL_OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'modelPublish',
    tool: 'model_publish',
    description: 'Publish a model directory on the server\'s machine (under its allowed paths) under a name: every file stored and pinned, a signed manifest announced to peers. Files unchanged since the last publish of the revision are not imported again. Reports progress per file.',
    params: ['dir'],
    input: z => z.object({
      dir: z.string().min(1).describe('the model directory; relative paths are relative to the server\'s working directory'),
      name: z.string().min(1).describe(modelName),
      revision: z.string().min(1).optional().describe(revision)
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    paths: ['dir'],
    progress: true
  },
  {
    name: 'modelProviders',
    tool: 'model_providers',
    description: 'Find the peers that hold a model: peer id, addresses, manifest root, revision, publisher and whether it is trusted or yanked.',
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(modelName),
      revision: z.string().min(1).optional().describe(revision),
      timeoutMs: z.number().int().positive().optional().describe('how long to wait for the DHT, ms (default 10000)')
    }),
    annotations: { readOnly: true, destructive: false, idempotent: true, openWorld: true }
  },
  preheatOperation('model', { nameDescription: modelName, revisionDescription: revision, what: 'a model' }),
  {
    name: 'modelPull',
    tool: 'model_pull',
    description: 'Fetch a model by name from the peers that hold it, verify every block, pin and announce it; optionally write its files under `dest` and the Hugging Face cache layout. Resumable: call again after a failure. Reports byte progress.',
    params: ['name'],
    input: z => z.object({
      name: z.string().min(1).describe(modelName),
      revision: z.string().min(1).optional().describe(revision),
      dest: z.string().min(1).optional().describe('write the files under this directory (under the server\'s allowed paths)'),
      hfCache: z.union([z.boolean(), z.string().min(1)]).optional().describe('also lay the model out in the Hugging Face cache: true for $HF_HUB_CACHE or ~/.cache/huggingface/hub, or a directory'),
      force: z.boolean().optional().describe('replace files under dest that this model did not write')
    }),
    annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    paths: ['dest', 'hfCache'],
    progress: true
  },
  {
    name: 'modelList',
    tool: 'model_ls',
    description: 'List the models this node holds (published or pulled): name, revision, manifest root, origin.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  },
  {
    name: 'modelYank',
    tool: 'model_yank',
    description: 'Withdraw a revision this node published: a signed tombstone that pullers trusting it honour.',
    params: ['name'],
    input: z => z.object({ name: z.string().min(1).describe(modelName), revision: z.string().min(1).optional().describe(revision) }),
    annotations: { readOnly: false, destructive: true, idempotent: true, openWorld: true }
  },
  {
    name: 'modelTrust',
    tool: 'model_trust',
    description: 'Trust a publisher id (did:key:…) to publish models for an org; returns the org\'s trusted publishers.',
    params: ['org', 'publisher'],
    input: z => z.object({ org: z.string().min(1), publisher: z.string().min(1).describe('did:key:z6Mk…') }),
    annotations: { readOnly: false, destructive: false, idempotent: true }
  },
  {
    name: 'modelUntrust',
    tool: 'model_untrust',
    description: 'Stop trusting a publisher for an org; returns the org\'s trusted publishers left.',
    params: ['org', 'publisher'],
    input: z => z.object({ org: z.string().min(1), publisher: z.string().min(1).describe('did:key:z6Mk…') }),
    annotations: { readOnly: false, destructive: true, idempotent: true }
  },
  {
    name: 'modelTrusted',
    tool: 'model_trusted',
    description: 'List which publishers each org trusts, configured or recorded.',
    params: [],
    input: z => z.object({}),
    annotations: { readOnly: true, destructive: false, idempotent: true }
  }
]
