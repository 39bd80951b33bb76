import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

/** A real PostgreSQL (PGlite, in-process WASM) listening on 127.0.0.1, spoken to over the wire protocol. */
export interface PostgresPeer {
  /** `pg` connection settings for it. */
  config: { host: string; port: number; user: string; password: string; database: string }
  close(): Promise<void>
}

/**
 * Starts PGlite behind @electric-sql/pglite-socket on an ephemeral loopback port, so `pg`
 * connects to it exactly as to a PostgreSQL server.
 */
export async function startPostgres(): Promise<PostgresPeer> {
  const db = await PGlite.create()
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 })
  await server.start()
  const address = server.getServerConn()
  const port = Number(address.slice(address.lastIndexOf(':') + 1))
  return {
    config: { host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' },
    async close() {
      await server.stop()
      await db.close()
    },
  }
}
