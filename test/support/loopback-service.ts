import { afterEach } from 'vitest'
import type { Hono } from 'hono'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'

/** A real HTTP service on 127.0.0.1 and an ephemeral port, for fetch() to call. */
export async function startLoopbackService(app: Hono<any, any, any>): Promise<{ base: string; close: () => Promise<void> }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * `start(app)` serves `app` on loopback (as `startLoopbackService`) and answers its base URL;
 * every server it started is closed after each test of the file that calls this.
 */
export function loopbackServers(): (app: Hono<any, any, any>) => Promise<string> {
  const started: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((close) => close()))
  })
  return async (app) => {
    const service = await startLoopbackService(app)
    started.push(service.close)
    return service.base
  }
}
