#!/usr/bin/env node
// The package's `hono-debug-toolbar` command (see cli.ts): `hono-debug-toolbar mcp --url http://127.0.0.1:3000`.
import { runCli } from './cli.js'

process.exitCode = await runCli(process.argv.slice(2), process)
