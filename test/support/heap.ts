import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// The test process is not started with --expose-gc: the flag, set now, gives a new context
// its `gc` function.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/**
 * The bytes of JavaScript heap in use after a full collection: what the process still holds.
 *
 * @example
 * ```ts
 * const before = heapAfterGc()
 * // ... make requests the history keeps ...
 * expect(heapAfterGc() - before).toBeLessThan(10 * 1024 * 1024)
 * ```
 */
export function heapAfterGc(): number {
  gc()
  return process.memoryUsage().heapUsed
}
