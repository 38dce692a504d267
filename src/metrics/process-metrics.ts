/**
 * Node.js process metrics (CPU, memory, event loop lag, GC) in one registry
 * for the whole process. They describe the process, not a kit, and prom-client
 * installs a GC observer and an event-loop monitor per registration, which a
 * test process creating hundreds of kits should not pile up.
 */
import { Registry, collectDefaultMetrics } from 'prom-client'

let registry: Registry | undefined

/** The process-wide registry of default Node.js metrics, created on first use. */
export function processMetrics (): Registry {
  if (registry == null) {
    registry = new Registry()
    collectDefaultMetrics({ register: registry })
  }
  return registry
}
