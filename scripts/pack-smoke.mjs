// Installs the package as users get it (`npm pack`, then `npm install <tarball>` in a new
// app outside the repository) once with the oldest and once with the newest hono,
// @hono/node-server and @opentelemetry/api the peer ranges allow, and runs a short smoke test against each install: the toolbar is injected
// into an HTML page, and the request and waterfall APIs answer.
//
//   node scripts/pack-smoke.mjs [--report <file.json>] [--keep]
//
// --report writes the outcome in the shape of vitest's JSON report so CI counts each
// install as a test. The registry must be reachable; dist/ must be built (npm run build).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const reportFile = args.includes('--report') ? args[args.indexOf('--report') + 1] : undefined
const keep = args.includes('--keep')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

// The peers the smoke app installs beside the tarball: the oldest and the newest release
// each peer range allows, so both ends of what package.json promises are exercised.
const PEERS = ['hono', '@hono/node-server', '@opentelemetry/api']

/** `{ oldest: { hono: '4.8.0', ... }, newest: { hono: '4.13.19', ... } }` from the registry. */
function peerSets() {
  const oldest = {}
  const newest = {}
  for (const name of PEERS) {
    const range = pkg.peerDependencies[name]
    const published = JSON.parse(npm(['view', `${name}@${range}`, 'version', '--json'], root))
    // npm answers one string when one version matches, else a list in no useful order.
    const versions = (Array.isArray(published) ? published : [published]).sort(bySemver)
    oldest[name] = versions[0]
    newest[name] = versions.at(-1)
  }
  return [oldest, newest]
}

function bySemver(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

function npm(argv, cwd) {
  return execFileSync('npm', argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 })
}

// The app each install runs: plain JavaScript importing the package by its name.
const SMOKE_APP = `
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { debugToolbar } from 'hono-debug-toolbar'
import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'

const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'pack-smoke' })
const app = new Hono()
app.use(debugToolbar({ extraPanels: [otel] }))
app.get('/users/:id', (c) => c.html('<html><body><h1>user ' + c.req.param('id') + '</h1></body></html>'))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async ({ port }) => {
  const base = 'http://127.0.0.1:' + port
  const fail = (message) => { console.error('FAIL ' + message); process.exitCode = 1 }
  try {
    const page = await fetch(base + '/users/7')
    const html = await page.text()
    const id = page.headers.get('x-debug-toolbar-request-id')
    if (!id) fail('no X-Debug-Toolbar-Request-Id header')
    if (!html.includes('data-hdt-request-id="' + id + '"')) fail('the page has no toolbar loader')
    // The record is filed once the body was sent: give the server a moment.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const detail = await (await fetch(base + '/_debug_toolbar/api/requests/' + id)).json()
    if (detail.route !== '/users/:id') fail('route ' + JSON.stringify(detail.route) + ', expected "/users/:id"')
    const trace = await fetch(base + '/_debug_toolbar/api/traces/' + detail.traceId)
    const body = await trace.json()
    const server = body.spans?.find((span) => span.kind === 'SERVER')
    if (trace.status !== 200 || server?.name !== 'GET /users/:id') fail('waterfall API: ' + trace.status + ' ' + JSON.stringify(body).slice(0, 300))
    const script = await fetch(base + '/_debug_toolbar/static/toolbar.js?v=1')
    if (script.status !== 200) fail('toolbar bundle answered ' + script.status)
    if (!process.exitCode) console.log('ok: page injected, request ' + id + ', trace ' + detail.traceId + ' with ' + body.spans.length + (body.spans.length === 1 ? ' span' : ' spans'))
  } catch (error) {
    fail(error.stack ?? String(error))
  } finally {
    await otel.shutdown()
    server.close()
  }
})
`

function smoke(tarball, peers) {
  const dir = mkdtempSync(join(tmpdir(), `hdt-pack-smoke-hono-${peers.hono}-`))
  const started = performance.now()
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pack-smoke-app', private: true, type: 'module' }))
    writeFileSync(join(dir, 'app.mjs'), SMOKE_APP)
    // The way the README says to install it: the toolbar beside the app's own hono.
    const specs = Object.entries(peers).map(([name, version]) => `${name}@${version}`)
    npm(['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs, tarball], dir)
    for (const [name, version] of Object.entries(peers)) {
      const installed = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version
      if (installed !== version) throw new Error(`npm installed ${name} ${installed}, not ${version}`)
    }
    const out = execFileSync(process.execPath, ['app.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] })
    return { ok: true, message: out.trim(), durationMs: performance.now() - started }
  } catch (error) {
    const detail = [error.stdout, error.stderr].filter(Boolean).join('\n').trim() || error.message
    return { ok: false, message: detail, durationMs: performance.now() - started }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

if (!existsSync(join(root, 'dist/src/index.js'))) {
  console.error('dist/ is not built: run npm run build first')
  process.exit(1)
}
const packDir = mkdtempSync(join(tmpdir(), 'hdt-pack-'))
mkdirSync(packDir, { recursive: true })
const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], root))
const tarball = join(packDir, packed[0].filename)
console.log(`packed ${packed[0].filename} (${packed[0].entryCount} files, ${Math.round(packed[0].size / 1024)} KB)`)

const results = []
for (const peers of peerSets()) {
  const label = Object.entries(peers).map(([name, version]) => `${name}@${version}`).join(' ')
  const result = smoke(tarball, peers)
  console.log(`${result.ok ? 'PASS' : 'FAIL'} ${label} (${Math.round(result.durationMs / 1000)} s): ${result.message}`)
  results.push({ label, ...result })
}
rmSync(packDir, { recursive: true, force: true })

if (reportFile) {
  const passed = results.filter((r) => r.ok).length
  writeFileSync(reportFile, JSON.stringify({
    numPassedTests: passed,
    numFailedTests: results.length - passed,
    numPendingTests: 0,
    testResults: [{
      name: 'scripts/pack-smoke.mjs',
      status: passed === results.length ? 'passed' : 'failed',
      assertionResults: results.map((r) => ({
        title: `packed tarball with ${r.label}`,
        status: r.ok ? 'passed' : 'failed',
        failureMessages: r.ok ? [] : [r.message],
      })),
    }],
  }))
}
process.exit(results.every((r) => r.ok) ? 0 : 1)
