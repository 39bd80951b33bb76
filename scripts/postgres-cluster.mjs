// A throwaway PostgreSQL server for tests and benchmarks: Debian's postgresql package
// (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin), a cluster in a temporary
// directory, owned by the unprivileged `postgres` user when we run as root (initdb refuses
// root), listening on 127.0.0.1 on a free port, its socket in the same directory.
//
//   node scripts/postgres-cluster.mjs start     prints `HDT_TEST_POSTGRES_URL=... HDT_TEST_POSTGRES_DIR=...`
//   node scripts/postgres-cluster.mjs stop DIR  stops it and removes the directory
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Debian puts the server binaries, newest major first; undefined when not installed. */
export function postgresBinaries() {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const majors = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))
  const found = majors.map((major) => join(root, major, 'bin')).find((bin) => existsSync(join(bin, 'pg_ctl')))
  return found
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function owner() {
  if (process.getuid?.() !== 0) return undefined
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim()
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

/**
 * Runs a server binary as the cluster's owner.
 * @param {string} bin @param {string} tool @param {string[]} args
 */
function run(bin, tool, args) {
  const command = join(bin, tool)
  const asRoot = process.getuid?.() === 0
  return execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: tmpdir(),
  })
}

/**
 * Creates and starts a cluster. `stop()` stops it (the data stays: `start()` again brings it
 * back on the same port), `destroy()` stops it and removes the directory.
 *
 * @returns {Promise<{ url: string, port: number, dir: string, start(): void, stop(): void, destroy(): void }>}
 */
export async function startPostgresCluster() {
  const bin = postgresBinaries()
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const dir = mkdtempSync(join(tmpdir(), 'hdt-pg-'))
  const user = owner()
  if (user) chownSync(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  run(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`
  const cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start: () => void run(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']),
    stop: () => void run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: () => {
      try {
        cluster.stop()
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  cluster.start()
  return cluster
}

/** Stops the cluster made by `start` in the command line form. @param {string} dir */
export function stopPostgresCluster(dir) {
  const bin = postgresBinaries()
  try {
    if (bin) run(bin, 'pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, dir] = process.argv.slice(2)
  if (command === 'start') {
    const cluster = await startPostgresCluster()
    console.log(`HDT_TEST_POSTGRES_URL=${cluster.url} HDT_TEST_POSTGRES_DIR=${cluster.dir}`)
  } else if (command === 'stop' && dir) {
    stopPostgresCluster(dir)
  } else {
    console.error('usage: node scripts/postgres-cluster.mjs start | stop DIR')
    process.exit(2)
  }
}
