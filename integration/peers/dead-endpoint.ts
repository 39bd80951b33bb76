/**
 * Collectors that are not there, for dead-collector tests on loopback.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export interface DeadEndpoint {
  /** `http://127.0.0.1:<port>`; append a path for HTTP exporters. */
  url: string
  port: number
  /** TCP connections accepted so far ('silent' mode). */
  connections(): number
  close(): Promise<void>
}

/**
 * 'silent' (default): a port that accepts TCP and never answers, so a sender hangs
 * until its own timeout. 'closed': a port nothing listens on, so connections are refused.
 *
 * @example
 * ```ts
 * const dead = await startDeadEndpoint('closed')
 * const [exporter] = createSpanExporters({ ...config, otlpEndpoint: dead.url })
 * ```
 */
export async function startDeadEndpoint(mode: 'silent' | 'closed' = 'silent'): Promise<DeadEndpoint> {
  const sockets = new Set<net.Socket>()
  let accepted = 0
  const server = net.createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    // Read and drop whatever arrives; never write back.
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  })
  // An ephemeral port that was just released: nothing listens on it any more.
  if (mode === 'closed') await close()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    close: mode === 'closed' ? async () => {} : close,
  }
}
