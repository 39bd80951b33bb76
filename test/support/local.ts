import type { Hono } from 'hono'

/** The env @hono/node-server passes for a client on the given address. */
export function clientEnv(remoteAddress = '127.0.0.1') {
  return { incoming: { socket: { remoteAddress } } }
}

/**
 * Makes a request to `app` as a client on `remoteAddress` (loopback by default) and reads
 * the whole body, as a browser would: the toolbar stores a request once its body was sent.
 */
export async function request(app: Hono<any, any, any>, path: string, init: RequestInit = {}, remoteAddress?: string) {
  const res = await app.request(path, init, clientEnv(remoteAddress))
  const text = await res.text()
  return { res, text, status: res.status, headers: res.headers, json: () => JSON.parse(text) }
}
