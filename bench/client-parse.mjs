// What the benchmark's client pays to parse a response: autocannon parses every response
// with http-parser-js (JavaScript, on the server's CPUs). This feeds each response head
// bench/http.mjs meets to that parser, alone in one process, and prints the CPU per response
// (the lowest of 15 alternating passes). See specs/performance.md, item 31.
//
//   node bench/client-parse.mjs [--responses 50000]
import { createRequire } from 'node:module'

const require = createRequire(new URL('../node_modules/autocannon/package.json', import.meta.url))
const { HTTPParser } = require('http-parser-js')

const args = process.argv.slice(2)
const responses = Number(args[args.indexOf('--responses') + 1] || 50000)
const response = (lines, bodyBytes) => `HTTP/1.1 200 OK\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n${'x'.repeat(bodyBytes)}`
const node = ['Date: Wed, 02 Dec 2026 14:50:37 GMT', 'Connection: keep-alive', 'Keep-Alive: timeout=5']
// As `curl -i` shows them from bench/server.mjs's variants (the ids and times of one request).
const heads = {
  '@hono/otel (5 lines, 108-byte body)': response(['content-type: text/html; charset=UTF-8', 'Content-Length: 108', ...node], 108),
  'toolbar + OpenTelemetry (7 lines, 249-byte body)': response(
    [
      'Content-Type: text/html; charset=UTF-8',
      'X-Debug-Toolbar-Request-Id: 075a56db00000001',
      'Server-Timing: hdt-total;dur=4.12;desc="hono-debug-toolbar", traceparent;desc="00-fc806859c73e5172456812fd8f5fa81a-52a24b1382fdb5be-03"',
      ...node,
      'Content-Length: 249',
    ],
    249,
  ),
  '@hono/otel + two short lines': response(['content-type: text/html; charset=UTF-8', 'Content-Length: 108', 'A: b', 'C: d', ...node], 108),
  '@hono/otel, 249-byte body': response(['content-type: text/html; charset=UTF-8', 'Content-Length: 249', ...node], 249),
}

function parse(text) {
  const bytes = Buffer.from(text)
  const parser = new HTTPParser(HTTPParser.RESPONSE)
  let complete = 0
  parser[HTTPParser.kOnHeaders] = () => {}
  parser[HTTPParser.kOnHeadersComplete] = () => {}
  parser[HTTPParser.kOnBody] = () => {}
  parser[HTTPParser.kOnMessageComplete] = () => complete++
  const before = process.cpuUsage()
  for (let i = 0; i < responses; i++) parser.execute(bytes)
  const used = process.cpuUsage(before)
  if (complete !== responses) throw new Error(`parsed ${complete} of ${responses} responses`)
  return (used.user + used.system) / responses
}

const lowest = {}
for (let pass = 0; pass < 15; pass++) for (const [name, text] of Object.entries(heads)) lowest[name] = Math.min(lowest[name] ?? Infinity, parse(text))
const width = Math.max(...Object.keys(heads).map((name) => name.length))
console.log(`http-parser-js, ${responses} responses a pass, lowest of 15 passes\n`)
for (const [name, us] of Object.entries(lowest)) console.log(`${name.padEnd(width)}  ${us.toFixed(2)} µs/response`)
