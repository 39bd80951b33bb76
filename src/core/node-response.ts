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
  once(event: 'finish' | 'close', listener: () => void): unknown
  getHeaders(): Record<string, unknown>
  readonly writableFinished: boolean
  readonly headersSent: boolean
}

/** The Node response of this request, when the app runs on @hono/node-server. */
export function nodeOutgoing(c: Context): NodeOutgoing | undefined {
  const outgoing = (c.env as { outgoing?: NodeOutgoing } | undefined)?.outgoing
  return outgoing && typeof outgoing.once === 'function' && typeof outgoing.getHeaders === 'function' ? outgoing : undefined
}

export interface OutgoingWatch {
  /** False when the body's size is known already: `write`/`end` are then left alone. */
  readonly countsWrites: boolean
  /** Body bytes and `write`/`end` calls that carried bytes. */
  onChunk(byteLength: number): void
  /** A `Server-Timing` value to send, merged with the app's own when it has one. */
  serverTiming(): string
  /** Once: the last byte was handed to the socket ('done'), or the client went away first. */
  onEnd(outcome: 'done' | 'cancelled', outgoing: NodeOutgoing): void
}

/**
 * Watches one Node response: counts the body as it is written, adds the toolbar's
 * `Server-Timing` entries when the head is written (appended to the app's own, which
 * `writeHead` would otherwise replace), and reports the end. Only this response object is
 * touched; the methods are wrapped on the instance, not on the prototype.
 */
export function watchOutgoing(outgoing: NodeOutgoing, watch: OutgoingWatch): void {
  const { write, end, writeHead } = outgoing
  outgoing.writeHead = function writeHeadWithTiming(this: NodeOutgoing, ...args: unknown[]) {
    mergeServerTiming(this, args, watch.serverTiming())
    return writeHead.apply(this, args)
  }
  if (watch.countsWrites) {
    outgoing.write = function countedWrite(this: NodeOutgoing, ...args: unknown[]) {
      count(args[0], watch)
      return write.apply(this, args)
    }
    outgoing.end = function countedEnd(this: NodeOutgoing, ...args: unknown[]) {
      if (typeof args[0] !== 'function') count(args[0], watch)
      return end.apply(this, args)
    }
  }
  let ended = false
  const finish = () => {
    if (ended) return
    ended = true
    watch.onEnd(outgoing.writableFinished ? 'done' : 'cancelled', outgoing)
  }
  outgoing.once('finish', finish)
  outgoing.once('close', finish)
}

function count(chunk: unknown, watch: OutgoingWatch): void {
  if (typeof chunk === 'string') {
    if (chunk.length) watch.onChunk(Buffer.byteLength(chunk))
  } else if (chunk instanceof Uint8Array) {
    if (chunk.byteLength) watch.onChunk(chunk.byteLength)
  }
}

/** Appends `timing` to a `Server-Timing` passed to `writeHead`, or sets it on the response. */
function mergeServerTiming(outgoing: NodeOutgoing, args: unknown[], timing: string): void {
  if (!timing) return
  // writeHead(status, headers) or writeHead(status, statusMessage, headers).
  const at = typeof args[1] === 'string' ? 2 : 1
  const headers = args[at]
  if (Array.isArray(headers)) {
    // Raw [name, value, name, value...] pairs: Node does not merge these with setHeader().
    args[at] = [...headers, 'Server-Timing', timing]
    return
  }
  if (headers && typeof headers === 'object') {
    const record = headers as Record<string, unknown>
    for (const name in record) {
      if (name.length === 13 && name.toLowerCase() === 'server-timing') {
        const own = record[name]
        args[at] = { ...record, [name]: own ? `${Array.isArray(own) ? own.join(', ') : String(own)}, ${timing}` : timing }
        return
      }
    }
  }
  outgoing.setHeader('Server-Timing', timing)
}
