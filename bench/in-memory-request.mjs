// One request through a @hono/node-server request listener with an in-memory Node
// request/response pair (no socket): what bench/inprocess.mjs and bench/memory.mjs send.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { Writable } from 'node:stream'

/** Sends `GET path` from 127.0.0.1 to `listener`; resolves when the response finished and closed. */
export function inMemoryRequest(listener, path = '/') {
  const socket = new Socket()
  Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' })
  const incoming = new IncomingMessage(socket)
  incoming.method = 'GET'
  incoming.url = path
  incoming.headers = { host: '127.0.0.1', accept: 'text/html' }
  incoming.rawHeaders = ['host', '127.0.0.1', 'accept', 'text/html']
  incoming.push(null)
  const outgoing = new ServerResponse(incoming)
  const sink = new Writable({ write: (_chunk, _enc, done) => done(), writev: (_chunks, done) => done() })
  outgoing.assignSocket(sink)
  return new Promise((resolve) => {
    // Node's HTTP server emits 'close' on the response a tick after 'finish' (the toolbar
    // finishes a record there); without a server, the harness does what it would.
    outgoing.once('finish', () =>
      process.nextTick(() => {
        outgoing.destroyed = true
        outgoing.emit('close')
        resolve()
      }),
    )
    listener(incoming, outgoing)
  })
}
