#!/usr/bin/env node
/**
 * `hono-debug-toolbar mcp --url http://127.0.0.1:3000 [--prefix /_debug_toolbar]`: the
 * toolbar's MCP server over stdio, for MCP clients that only start commands. It relays to
 * the running app's `{prefix}/mcp` endpoint.
 */
import { parseArgs } from 'node:util'
import { proxyStdio } from './stdio-proxy.js'

const USAGE = `Usage: hono-debug-toolbar mcp --url <app base URL> [--prefix /_debug_toolbar]

Relays MCP over stdio to the debug toolbar of a running Hono app.
Example: hono-debug-toolbar mcp --url http://127.0.0.1:3000`

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (positionals[0] !== 'mcp' || positionals.length > 1 || !values.url) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  try {
    // Stdout carries the protocol: everything else goes to stderr.
    const proxy = await proxyStdio({ url: values.url, prefix: values.prefix, input: process.stdin, output: process.stdout })
    await proxy.closed
    return 0
  } catch (error) {
    process.stderr.write(`hono-debug-toolbar: ${(error as Error).message}\n`)
    return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
