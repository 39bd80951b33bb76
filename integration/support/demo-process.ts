/**
 * The built demo app (dist/examples/basic/server.js), or another app script that prints its
 * address as the demo does, as a child process, the way a developer runs it: on a free
 * loopback port, with the environment given.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { expect } from 'vitest'

export interface DemoProcess {
  url: string
  child: ChildProcess
  /** Everything it printed so far. */
  output(): string
  /** Resolves with how the process ended, when it ends by itself. */
  ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const SERVER = new URL('../../dist/examples/basic/server.js', import.meta.url).pathname

/**
 * @example
 * ```ts
 * const demo = await startDemo({ DEBUG_TOOLBAR_STORE: '/tmp/x.db' })
 * await fetch(`${demo.url}/users/2`)
 * await demo.stop('SIGTERM')
 * const other = await startDemo({ DEBUG_TOOLBAR_STORE: '/tmp/x.db' }, '/path/to/app.mjs')
 * ```
 */
export async function startDemo(env: Record<string, string>, server = SERVER): Promise<DemoProcess> {
  const child = spawn(process.execPath, [server], {
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', OTEL_TRACES_EXPORTER: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = once(child, 'exit')
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start within 20 s:\n${output}`)), 20_000)
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)
      if (match) (clearTimeout(timer), resolve(`http://127.0.0.1:${match[1]}`))
    }
    child.stdout!.on('data', look)
    void exited.then(() => (clearTimeout(timer), reject(new Error(`the demo exited before listening:\n${output}`))))
  })
  return {
    url,
    child,
    output: () => output,
    async ended() {
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
      return { code, signal }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const [code, ended] = (await exited) as [number | null, NodeJS.Signals | null]
      return { code, signal: ended }
    },
  }
}

/**
 * The JSON answer of a GET to `url`, which must answer 200 (the assertion names the URL).
 *
 * @example
 * ```ts
 * const { requests } = await getJson(`${demo.url}/_debug_toolbar/api/requests`)
 * ```
 */
export async function getJson(url: string): Promise<any> {
  const res = await fetch(url)
  expect(res.status, url).toBe(200)
  return res.json()
}
