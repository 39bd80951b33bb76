/**
 * The toolbar wraps two of the Hono context's methods for the request it records:
 * `c.html()` (the loader tag goes into the page string) and, in the Templates panel,
 * `c.render()` (each render is timed). Each wrapper is one function shared by every request;
 * the context's own method is kept on the context under a symbol.
 *
 * Why not a closure per request: a new function stored on every request's context set off
 * V8's allocation-site pretenuring. Some processes then allocated every request's Node
 * objects (the request, the response, their listener lists) straight into the old
 * generation, where each lived until the next full collection: 17 against 30 µs per
 * request in process, chosen at random per process (specs/performance.md, item 14).
 */
import type { Context } from 'hono'
import { currentRecord } from './record.js'

/**
 * One wrapping of a context method for one request: the method it wrapped, what the
 * wrapper needs of the request, and the wrapping before it on the same context (two
 * toolbars recording the same request, or a Templates panel in each).
 */
export class MethodWrap<S> {
  /** True while its wrapper runs: a call back into the wrapper from inside goes to `previous`. */
  running = false

  constructor(
    readonly original: (...args: never[]) => unknown,
    readonly state: S,
    readonly previous: MethodWrap<S> | undefined,
  ) {}
}

type Holder<S> = Record<symbol, MethodWrap<S> | undefined>

/**
 * Replaces `c[name]` with `wrapper` (one function for every request) and keeps what it
 * replaced, with `state`, on the context under `key`.
 *
 * @example
 * ```ts
 * const RENDER = Symbol('render')
 * wrapContextMethod(c, 'render', RENDER, timedRender, undefined)
 * ```
 */
export function wrapContextMethod<S>(c: Context, name: 'html' | 'render', key: symbol, wrapper: (...args: never[]) => unknown, state: S): void {
  const holder = c as unknown as Holder<S>
  holder[key] = new MethodWrap(c[name] as (...args: never[]) => unknown, state, holder[key])
  ;(c as unknown as Record<string, unknown>)[name] = wrapper
}

/**
 * Runs the part of a wrapper that belongs to the wrapping it was called for: the newest
 * one on the context that is not already running (`nested` then says that another one
 * is). Throws when there is none (the method was taken off its context and called after
 * its request).
 *
 * @example
 * ```ts
 * function timedRender(this: unknown, ...args: unknown[]) {
 *   return callWrapped(this, RENDER, 'c.render', (wrap, c) => renderTemplate(c.req.path, () => wrap.original(...args)))
 * }
 * ```
 */
export function callWrapped<S, R>(self: unknown, key: symbol, method: string, run: (wrap: MethodWrap<S>, c: Context, nested: boolean) => R): R {
  const c = callingContext(self, key)
  let wrap = c && (c as unknown as Holder<S>)[key]
  let nested = false
  while (wrap?.running) {
    wrap = wrap.previous
    nested = true
  }
  if (!c || !wrap) throw new TypeError(`${method}() was called outside the request of its context`)
  wrap.running = true
  try {
    return run(wrap, c, nested)
  } finally {
    wrap.running = false
  }
}

/**
 * The context a shared wrapper was called on: `this` when the method was called on the
 * context (`c.html(...)`), else the one of the request being handled (a method taken off
 * the context first: `({ html }) => html(...)`). Undefined when neither holds `key`.
 */
function callingContext(self: unknown, key: symbol): Context | undefined {
  if (self !== null && typeof self === 'object' && key in self) return self as Context
  const c = currentRecord()?.handlerContext
  return c && key in c ? c : undefined
}
