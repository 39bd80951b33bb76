/**
 * OpenTelemetry's context kept in the toolbar's own AsyncLocalStorage, beside the request's
 * record. The panel registers it when the app has no context manager of its own: a second
 * AsyncLocalStorage would cost every promise of every request one more copy (Node
 * propagates each storage separately), about 2 µs per request over HTTP
 * (specs/performance.md, item 12). An app that registered its own context manager keeps it.
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { enterSharedContext, runWithSharedContext, sharedContext } from '../core/record.js'

/**
 * A context manager whose storage is the toolbar's. It extends the SDK's
 * `AsyncLocalStorageContextManager` for `bind()` (functions and event emitters) and
 * replaces where the context is kept; the storage the base class makes is never used, so
 * Node never enables it.
 *
 * @example
 * ```ts
 * import { context } from '@opentelemetry/api'
 * context.setGlobalContextManager(new ToolbarContextManager().enable())
 * ```
 */
export class ToolbarContextManager extends AsyncLocalStorageContextManager {
  override active(): Context {
    return (sharedContext() as Context | undefined) ?? ROOT_CONTEXT
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const cb = thisArg == null ? fn : (fn.bind(thisArg) as F)
    return runWithSharedContext(context, cb, ...args)
  }

  /** Makes `context` active for the rest of the current execution; `dispose()` restores the one before. */
  attach(context: Context): { dispose(): void } {
    return { dispose: enterSharedContext(context) }
  }

  /**
   * Unregistering the manager (`context.disable()`) leaves the toolbar's storage alone: the
   * records of requests in flight stay where recorders find them.
   */
  override disable(): this {
    return this
  }
}
