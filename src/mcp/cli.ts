import { parseArgs } from 'node:util'
import type { Readable, Writable } from 'node:stream'
import { proxyStdio } from './stdio-proxy.js'

export const USAGE = `Usage: hono-debug-toolbar mcp --url <app base URL> [--prefix /_debug_toolbar]

Relays MCP over stdio to the debug toolbar of a running Hono app.
Example: hono-debug-toolbar mcp --url http://127.0.0.1:3000`

/** Where the command reads and writes: the process's streams, or test streams. */
export interface CliIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
}

/**
 * The `hono-debug-toolbar` command: `mcp --url <base> [--prefix <prefix>]` relays stdio to
 * the app's MCP endpoint until stdin closes. Resolves with the exit code (2 for misuse).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['mcp', '--url', 'http://127.0.0.1:3000'], process)
 * ```
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (positionals[0] !== 'mcp' || positionals.length > 1 || !values.url) {
    io.stderr.write(`${USAGE}\n`)
    return 2
  }
  try {
    // Stdout carries the protocol: everything else goes to stderr.
    const proxy = await proxyStdio({ url: values.url, prefix: values.prefix, input: io.stdin, output: io.stdout })
    await proxy.closed
    return 0
  } catch (error) {
    io.stderr.write(`hono-debug-toolbar: ${(error as Error).message}\n`)
    return 2
  }
}
