/**
 * On Node (@hono/node-server), the end of a response is known from the Node response
 * itself, so the toolbar does not need to re-wrap the body in a web stream to learn when
 * the last byte went out. The body then stays on node-server's fast path: a string or bytes
 * that `c.html()` or `c.json()` made are written straight to the socket.
 */
import type { Context } from 'hono'

/** The part of Node's `ServerResponse` the toolbar uses. */
export interface NodeOutgoing {
  setHeader(name: string, value: string): unknown
  writeHead(...args: unknown[]): unknown
  write(...args: unknown[]): boolean
  end(...args: unknown[]): unknown
  on(event: 'close', listener: () => void): unknown
  getHeaders(): Record<string, unknown>
  getHeader?(name: string): unknown
  getHeaderNames?(): string[]
  readonly writableFinished: boolean
  readonly headersSent: boolean
  /** The status code written (or to be written) with the head. */
  readonly statusCode: number
  /** True once the response was torn down: nothing written after that reaches the client. */
  readonly destroyed?: boolean
  /** The error the response was destroyed with (a body stream that failed), else null. */
  readonly errored?: Error | null
}

/** The Node response of this request, when the app runs on @hono/node-server. */
export function nodeOutgoing(c: Context): NodeOutgoing | undefined {
  const outgoing = (c.env as { outgoing?: NodeOutgoing } | undefined)?.outgoing
  return outgoing && typeof outgoing.on === 'function' && typeof outgoing.getHeaders === 'function' ? outgoing : undefined
}

export interface OutgoingWatch {
  /** False when the body's size is known already: `write`/`end` are then left alone. */
  readonly countsWrites: boolean
  /** Extra headers to send (the request id), added to the head when Node writes it. */
  readonly headers: Readonly<Record<string, string>>
  /** The head as written, when the toolbar saw all of it: the headers sent. */
  headWritten(headers: Record<string, unknown> | undefined): void
  /** Body bytes and `write`/`end` calls that carried bytes. */
  onChunk(byteLength: number): void
  /** A `Server-Timing` value to send, merged with the app's own when it has one. */
  serverTiming(): string
  /**
   * Once: the last byte was handed to the socket ('done'), the client went away first
   * ('cancelled'), or the body failed while it was sent and the server cut the response
   * off ('error', with the error).
   */
  onEnd(outcome: 'done' | 'cancelled' | 'error', outgoing: NodeOutgoing, error?: Error): void
}

/**
 * Watches one Node response: counts the body as it is written, adds the toolbar's headers
 * and `Server-Timing` entries when the head is written (appended to the app's own, which
 * `writeHead` would otherwise replace), and reports the end.
 *
 * The headers go into the object given to `writeHead` rather than through `setHeader()`:
 * one header set with `setHeader()` before `writeHead` sends Node down its slow path, where
 * every header of the response is set and checked one by one.
 *
 * `writeHead` is wrapped once on the response's prototype, not on each response: a
 * function of its own on every `ServerResponse` (a new closure per request) made V8 keep
 * each request's objects through young-generation collections (about 2 MB more survived
 * each scavenge) and cost a third of the requests per second. The response carries its
 * watch under a symbol until its head is written; responses the toolbar does not watch go
 * straight through.
 */
export function watchOutgoing(outgoing: NodeOutgoing, watch: OutgoingWatch): void {
  if (!wrapWriteHeadOnce(outgoing)) {
    // A response whose writeHead was replaced on the instance: wrap that one.
    const { writeHead } = outgoing
    outgoing.writeHead = function writeHeadWithToolbar(this: NodeOutgoing, ...args: unknown[]) {
      watch.headWritten(addHeaders(this, args, watch.headers, watch.serverTiming()))
      return writeHead.apply(this, args)
    }
  } else {
    ;(outgoing as unknown as Watched)[WATCH] = watch
  }
  if (watch.countsWrites) {
    const { write, end } = outgoing
    // Bytes written to a destroyed response never leave: node-server ends a response whose
    // body failed with an `Error: ...` line after it destroyed it.
    outgoing.write = function countedWrite(this: NodeOutgoing, ...args: unknown[]) {
      if (!this.destroyed) count(args[0], watch)
      return write.apply(this, args)
    }
    outgoing.end = function countedEnd(this: NodeOutgoing, ...args: unknown[]) {
      if (typeof args[0] !== 'function' && !this.destroyed) count(args[0], watch)
      return end.apply(this, args)
    }
  }
  // A Node response emits 'close' once: a tick after 'finish' when the last byte went out, or
  // when the connection went away first. One listener tells both. It is one function for
  // every response, and the watch rides on the response until then: Node keeps listeners in
  // an object that V8 may place in the old generation, where a closure holding the watch
  // (and so the record) would outlive the request until the next full collection.
  ;(outgoing as unknown as Watched)[END] = watch
  outgoing.on('close', endWatch)
}

function endWatch(this: NodeOutgoing & Watched): void {
  const watch = this[END]
  if (watch === undefined) return
  this[END] = undefined
  // A body stream that failed: node-server destroys the response with the stream's error,
  // and Node counts the response as finished all the same.
  const error = this.errored
  if (error) watch.onEnd('error', this, error)
  else watch.onEnd(this.writableFinished ? 'done' : 'cancelled', this)
}

const WATCH = Symbol('hono-debug-toolbar.watch')
const END = Symbol('hono-debug-toolbar.end')
const WRAPPED = Symbol('hono-debug-toolbar.writeHead')

interface Watched {
  [WATCH]?: OutgoingWatch | undefined
  [END]?: OutgoingWatch | undefined
}

type WriteHead = (this: NodeOutgoing, ...args: unknown[]) => unknown

/**
 * Wraps `writeHead` on the prototype that defines it (Node's `ServerResponse`, or
 * `Http2ServerResponse`), once per prototype. False when this response has a `writeHead`
 * of its own, which the prototype's would not reach.
 */
function wrapWriteHeadOnce(outgoing: NodeOutgoing): boolean {
  if (Object.prototype.hasOwnProperty.call(outgoing, 'writeHead')) return false
  const prototype = Object.getPrototypeOf(outgoing) as Record<PropertyKey, unknown> | null
  // Every response of a server has the same prototype: found wrapped once, it stays so.
  if (prototype !== null && prototype === wrappedPrototype) return true
  let owner = prototype
  while (owner && !Object.prototype.hasOwnProperty.call(owner, 'writeHead')) owner = Object.getPrototypeOf(owner) as Record<PropertyKey, unknown> | null
  if (!owner || typeof owner.writeHead !== 'function') return false
  if (owner[WRAPPED]) {
    wrappedPrototype = prototype
    return true
  }
  const original = owner.writeHead as WriteHead
  owner.writeHead = function writeHeadWithToolbar(this: NodeOutgoing & Watched) {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[]
    const watch = this[WATCH]
    if (watch === undefined) return original.apply(this, args)
    // Once: the response no longer points at the request's objects after its head.
    this[WATCH] = undefined
    const list = Array.prototype.slice.call(args)
    watch.headWritten(addHeaders(this, list, watch.headers, watch.serverTiming()))
    return original.apply(this, list)
  }
  Object.defineProperty(owner, WRAPPED, { value: original })
  wrappedPrototype = prototype
  return true
}

/** The prototype of the last response whose `writeHead` was found wrapped. */
let wrappedPrototype: object | null = null

function count(chunk: unknown, watch: OutgoingWatch): void {
  if (typeof chunk === 'string') {
    if (chunk.length) watch.onChunk(Buffer.byteLength(chunk))
  } else if (chunk instanceof Uint8Array) {
    if (chunk.byteLength) watch.onChunk(chunk.byteLength)
  }
}

/**
 * Adds `extra` and `timing` to the headers passed to `writeHead` (a new object: the app's is
 * left as it was), appending `timing` to a `Server-Timing` the app set. Answers the headers
 * written, or undefined when Node holds some of them itself (set with `setHeader()`).
 */
function addHeaders(outgoing: NodeOutgoing, args: unknown[], extra: Readonly<Record<string, string>>, timing: string): Record<string, unknown> | undefined {
  // writeHead(status, headers) or writeHead(status, statusMessage, headers).
  const at = typeof args[1] === 'string' ? 2 : 1
  const headers = args[at]
  if (Array.isArray(headers)) {
    // Raw [name, value, name, value...] pairs: Node does not merge these with setHeader().
    const pairs = [...headers]
    for (const name in extra) pairs.push(name, extra[name])
    if (timing) pairs.push('Server-Timing', timing)
    args[at] = pairs
    return undefined
  }
  if (headers && typeof headers === 'object' && outgoing.getHeaderNames?.().length === 0) {
    // Copied key by key: `{ ...headers, ...extra }` followed by one more key made V8 build a
    // slow dictionary object, 1.2 µs per response against 40 ns for this loop.
    const app = headers as Record<string, unknown>
    const merged: Record<string, unknown> = {}
    let own: string | undefined
    for (const name in app) {
      merged[name] = app[name]
      if (name.length === 13 && own === undefined && name.toLowerCase() === 'server-timing') own = name
    }
    for (const name in extra) merged[name] = extra[name]
    if (timing) {
      if (own === undefined) merged['Server-Timing'] = timing
      else {
        const value = merged[own]
        merged[own] = value ? `${Array.isArray(value) ? value.join(', ') : String(value)}, ${timing}` : timing
      }
    }
    args[at] = merged
    return merged
  }
  // No headers object, or headers Node already holds: set ours beside them.
  for (const name in extra) outgoing.setHeader(name, extra[name])
  if (timing) {
    const own = outgoing.getHeader?.('server-timing')
    outgoing.setHeader('Server-Timing', own ? `${Array.isArray(own) ? own.join(', ') : String(own)}, ${timing}` : timing)
  }
  return undefined
}
