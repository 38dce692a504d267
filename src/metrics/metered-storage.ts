/**
 * `MeteredStorage`: the storage API with every operation counted and timed in
 * the kit's metrics. A subclass rather than hooks inside `IPFSKitStorage`, so
 * the storage code stays free of metrics and behaves exactly the same.
 */
import { IPFSKitStorage } from '../storage/index.ts'
import type { KitMetrics, Outcome } from './kit-metrics.ts'
import type { EvictionResult, PinOptions, UnpinOptions, RetrieveOptions, StorageComponents, StoreInput, StoreOptions, StoreProgressEvents, StreamOptions, VerifyOptions, VerifyResult } from '../storage/index.ts'
import type { GcOptions, GcResult } from '../pins/index.ts'
import type { AbortOptions } from '@libp2p/interface'

export class MeteredStorage extends IPFSKitStorage {
  constructor (components: StorageComponents, private readonly metrics: KitMetrics) {
    super(components)
  }

  override async store (input: StoreInput, options: StoreOptions = {}): Promise<string> {
    let bytes = 0
    const onProgress = (event: StoreProgressEvents): void => {
      if (event.type === 'storage:store:chunk') bytes = event.detail.bytes
      options.onProgress?.(event)
    }
    return await this.metrics.measure('store', async () => await super.store(input, { ...options, onProgress }), { bytesOf: () => bytes })
  }

  override async retrieve (cid: string, options: RetrieveOptions = {}): Promise<Uint8Array | undefined> {
    return await this.metrics.measure('retrieve', async () => await super.retrieve(cid, options), {
      bytesOf: value => value?.byteLength ?? 0,
      found: value => value != null
    })
  }

  override async * stream (cid: string, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const end = this.metrics.start('stream')
    let bytes = 0
    let outcome: Outcome = 'ok'
    try {
      for await (const chunk of super.stream(cid, options)) {
        bytes += chunk.byteLength
        yield chunk
      }
    } catch (err: any) {
      outcome = err?.name === 'NotFoundError' ? 'not_found' : 'error'
      throw err
    } finally {
      // a consumer that stops early (return()) lands here too: what it read counts as done
      end(outcome, bytes)
    }
  }

  override async pin (cid: string, options: PinOptions = {}): Promise<boolean> {
    return await this.metrics.measure('pin', async () => await super.pin(cid, options), { found: pinned => pinned })
  }

  override async unpin (cid: string, options: UnpinOptions = {}): Promise<boolean> {
    return await this.metrics.measure('unpin', async () => await super.unpin(cid, options), { found: removed => removed })
  }

  override async delete (cid: string, options: AbortOptions = {}): Promise<boolean> {
    return await this.metrics.measure('delete', async () => await super.delete(cid, options), { found: removed => removed })
  }

  override async gc (options: GcOptions = {}): Promise<GcResult> {
    return await this.metrics.measure('gc', async () => await super.gc(options), { bytesOf: result => result.freedBytes })
  }

  override async evict (targetBytes: number, options: AbortOptions = {}): Promise<EvictionResult> {
    return await this.metrics.measure('evict', async () => await super.evict(targetBytes, options), { bytesOf: result => result.freedBytes })
  }

  override async verify (options: VerifyOptions = {}): Promise<VerifyResult> {
    return await this.metrics.measure('verify', async () => await super.verify(options))
  }
}
