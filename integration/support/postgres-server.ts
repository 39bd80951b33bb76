/**
 * A real PostgreSQL server for the store tests: the one at HDT_TEST_POSTGRES_URL (CI starts
 * a throwaway cluster and sets it), or else a throwaway cluster started here from Debian's
 * postgresql package. When neither is possible the suites skip and print why.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { postgresBinaries, startPostgresCluster } from '../../scripts/postgres-cluster.mjs'

export type TestPostgres = { available: true; url: string; description: string; close(): void } | { available: false; reason: string }

/**
 * @example
 * ```ts
 * const postgres = await testPostgres()
 * if (!postgres.available) console.log(`PostgreSQL: skipped: ${postgres.reason}`)
 * ```
 */
export async function testPostgres(): Promise<TestPostgres> {
  const given = process.env.HDT_TEST_POSTGRES_URL
  if (given) return { available: true, url: given, description: 'HDT_TEST_POSTGRES_URL', close: () => undefined }
  if (!postgresBinaries()) return { available: false, reason: 'no HDT_TEST_POSTGRES_URL and no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)' }
  try {
    const cluster = await startPostgresCluster()
    return { available: true, url: cluster.url, description: `a throwaway cluster in ${cluster.dir}`, close: () => cluster.destroy() }
  } catch (error) {
    return { available: false, reason: `could not start a throwaway PostgreSQL cluster: ${error instanceof Error ? error.message : String(error)}` }
  }
}

let schemas = 0
/** A schema name no other test (or concurrent test file) uses. */
export function uniqueSchema(label: string): string {
  return `hdt_${label}_${process.pid}_${++schemas}`
}

/**
 * A TCP relay in front of a real server, on loopback: `cut()` closes it and every open
 * connection (the database is "down" for whoever connects through it), `restore()` listens
 * again on the same port. The database itself keeps running for the other tests.
 */
export class TcpCut {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => (client.destroy(), upstream.destroy()))
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve))
    this.port = (this.server.address() as { port: number }).port
    return this
  }

  cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  restore(): Promise<this> {
    return this.open()
  }

  /** `url` with its host and port replaced by the relay's. */
  urlThrough(url: string): string {
    const relayed = new URL(url)
    relayed.hostname = '127.0.0.1'
    relayed.port = String(this.port)
    return relayed.toString()
  }
}
