/**
 * A kit's life: its services start in one ordered list and stop in reverse
 * (js-libp2p's `Startable`), a start that fails part-way stops what it had
 * started, and every public call made after `stop()` raises KitStoppedError
 * instead of whatever a closed database or socket would say.
 */
import { KitStoppedError } from './errors.ts'

/** One service of a kit, as the start list runs it. */
export interface Service {
  /** Names the service in errors and progress events. */
  readonly name: string
  start?(): Promise<void> | void
  stop?(): Promise<void> | void
}

/** Whether a kit is still usable; handed to every part that has public calls. */
export class Lifecycle {
  private stoppedAt: number | undefined

  get stopped (): boolean {
    return this.stoppedAt != null
  }

  markStopped (): void {
    this.stoppedAt ??= Date.now()
  }

  /** @throws KitStoppedError once the kit has been stopped */
  assertRunning (operation: string): void {
    if (this.stoppedAt != null) throw new KitStoppedError(operation)
  }
}

/**
 * Start `services` in order. When one fails, those already started are
 * stopped in reverse (their own failures are attached to the error as
 * `suppressed`) and the first error is thrown.
 *
 * @returns a function that stops them all, in reverse, once
 */
export async function startAll (services: Service[], onStarted?: (name: string) => void): Promise<() => Promise<void>> {
  const started: Service[] = []
  const stopAll = async (): Promise<unknown[]> => {
    const errors: unknown[] = []
    for (const service of started.reverse()) {
      try {
        await service.stop?.()
      } catch (err) {
        errors.push(err)
      }
    }
    started.length = 0
    return errors
  }
  for (const service of services) {
    try {
      await service.start?.()
      started.push(service)
      onStarted?.(service.name)
    } catch (err: any) {
      // a service whose start threw part-way may hold something: stop it too
      if (!started.includes(service)) started.push(service)
      const suppressed = await stopAll()
      if (suppressed.length > 0 && err != null && typeof err === 'object') err.suppressed = suppressed
      throw err
    }
  }
  let stopping: Promise<void> | undefined
  return async () => {
    stopping ??= stopAll().then(errors => {
      if (errors.length > 0) throw errors[0]
    })
    await stopping
  }
}
