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
 * The context a shared wrapper was called on: `this` when the method was called on the
 * context (`c.html(...)`), else the one of the request being handled (a method taken off
 * the context first: `({ html }) => html(...)`). `key` is the symbol the wrapper keeps its
 * state under; undefined when neither holds it.
 *
 * @example
 * ```ts
 * const ORIGINAL = Symbol('render')
 * function timedRender(this: unknown, ...args: unknown[]) {
 *   const c = callingContext(this, ORIGINAL)
 * }
 * ```
 */
export function callingContext(self: unknown, key: symbol): Context | undefined {
  if (self !== null && typeof self === 'object' && key in self) return self as Context
  const c = currentRecord()?.handlerContext
  return c && key in c ? c : undefined
}
