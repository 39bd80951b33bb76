/**
 * The toolbar under Vite's dev server with @hono/vite-dev-server, as `npm create hono`
 * projects run in development: a real Vite server on loopback loads an entry module that
 * exports a Hono app using the toolbar (the package linked into the project's node_modules,
 * as `npm link` does). A page gets the loader tag and the toolbar's headers, the API answers
 * with the request's panels, the browser bundle and the error page's stylesheet load.
 * Then the entry module is saved again, as a developer does: Vite evaluates it again, which
 * calls `debugToolbar()` again, and the toolbar keeps working with the history it had; also
 * when the save comes before the toolbar recorded any page (the first requests being the
 * toolbar's own, from a page left open), and the app's own OpenTelemetry spans follow the
 * panel as saved.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import devServer from '@hono/vite-dev-server'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../src/index.js'
import { startLoopbackService } from '../test/support/loopback-service.js'

const root = new URL('..', import.meta.url).pathname
const prefix = '/_debug_toolbar'

/** A project as a user has it: `src/index.ts`, and the packages under its node_modules. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-vite-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(root, join(dir, 'node_modules', 'hono-debug-toolbar'), 'dir')
  symlinkSync(join(root, 'node_modules', 'hono'), join(dir, 'node_modules', 'hono'), 'dir')
  // The app's own instrumentation imports the API, the same copy as the toolbar's.
  mkdirSync(join(dir, 'node_modules', '@opentelemetry'))
  symlinkSync(join(root, 'node_modules', '@opentelemetry', 'api'), join(dir, 'node_modules', '@opentelemetry', 'api'), 'dir')
  mkdirSync(join(dir, 'src'))
  return dir
}

/** The app's entry module; `version` shows in the page, so a test knows which evaluation answered. */
function entrySource(version: number, otelOptions: string | undefined): string {
  return `import { Hono } from 'hono'
import { debugToolbar } from 'hono-debug-toolbar'
${otelOptions ? "import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'" : ''}
const app = new Hono()
app.use(debugToolbar(${otelOptions ? `{ extraPanels: [new OpenTelemetryPanel(${otelOptions})] }` : ''}))
app.get('/', (c) => c.html('<html><body><h1>version ${version}</h1></body></html>'))
app.get('/boom', () => { throw new Error('boom in version ${version}') })
export default app
`
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Whether `port` can be bound on loopback within `ms` (the server that held it stopped). */
async function bindsWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const server = createNetServer()
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (bound) {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      return true
    }
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface Project {
  vite: ViteDevServer
  base: string
  dir: string
  /** The entry module as saved at `version`. */
  source: (version: number) => string
}

async function startVite(otelOptions: string | undefined, source = (version: number) => entrySource(version, otelOptions)): Promise<Project> {
  const dir = makeProject()
  writeFileSync(join(dir, 'src', 'index.ts'), source(1))
  const vite = await createServer({
    configFile: false,
    root: dir,
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1' },
    // What `npm create hono` writes in vite.config.ts, with the default options.
    plugins: [devServer({ entry: './src/index.ts' })],
  })
  await vite.listen()
  const { port } = vite.httpServer!.address() as AddressInfo
  return { vite, base: `http://127.0.0.1:${port}`, dir, source }
}

/** Saves the entry module as `version`, as an editor does, without asking Vite for anything. */
function saveOnly(project: Project, version: number): void {
  writeFileSync(join(project.dir, 'src', 'index.ts'), project.source(version))
}

/** A client that a proxy on this machine forwarded: it gets the app's pages, and the toolbar records none. */
const REFUSED = { 'x-forwarded-for': '203.0.113.7' }

/**
 * Saves the entry module as `version` and waits (bounded) until Vite serves the new app.
 * `unrecorded`: waits with pages the toolbar does not record (as a refused client's).
 */
async function save(project: Project, version: number, unrecorded = false): Promise<Response> {
  saveOnly(project, version)
  const deadline = Date.now() + 15_000
  for (;;) {
    const res = await fetch(`${project.base}/`, { headers: unrecorded ? REFUSED : {} })
    const text = await res.clone().text()
    if (text.includes(`version ${version}`)) return res
    if (Date.now() > deadline) throw new Error(`Vite did not serve version ${version}: ${text.slice(0, 200)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface Detail {
  id: string
  path: string
  status: number
  durationMs?: number
  inFlight?: boolean
  traceId?: string
  panels: Record<string, unknown>
}

/** What a user's browser sees of a page: the tag, the headers, then the API's answer for it. */
async function openPage(base: string, res: Response): Promise<{ id: string; html: string; detail: Detail }> {
  expect(res.status).toBe(200)
  const html = await res.text()
  const id = res.headers.get('x-debug-toolbar-request-id')
  expect(id).toMatch(/^[0-9a-f]+$/)
  expect(res.headers.get('server-timing')).toMatch(/hdt-total;dur=\d/)
  // One toolbar on the page, for this request; Vite's own client script is there too.
  expect(html.match(/data-hdt-request-id=/g)).toHaveLength(1)
  expect(html).toContain(`data-hdt-request-id="${id}"`)
  expect(html).toContain('/@vite/client')
  const detail = await fetch(`${base}${prefix}/api/requests/${id}`)
  expect(detail.status).toBe(200)
  return { id: id!, html, detail: (await detail.json()) as Detail }
}

/** Reads server-sent events until one names `requestId` (bounded in time). */
function readEvents(reader: ReadableStreamDefaultReader<Uint8Array>) {
  let text = ''
  const decoder = new TextDecoder()
  return {
    async until(requestId: string): Promise<boolean> {
      const deadline = Date.now() + 5000
      while (!text.includes(`"requestId":"${requestId}"`)) {
        const left = deadline - Date.now()
        if (left <= 0) return false
        const next = await Promise.race([reader.read(), new Promise<undefined>((resolve) => setTimeout(resolve, left))])
        if (!next || next.done) return false
        text += decoder.decode(next.value, { stream: true })
      }
      return true
    },
  }
}

/** The sockets and servers the process holds, by kind. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

for (const otel of [false, true]) {
  describe(`a Hono app under @hono/vite-dev-server, ${otel ? 'with' : 'without'} the OpenTelemetry panel`, () => {
    let project: Project
    let grpcPort = 0
    beforeAll(async () => {
      // The gRPC receiver binds a port of its own: the one a reload must not find taken.
      grpcPort = await freePort()
      project = await startVite(otel ? `{ exporter: 'none', serviceName: 'vite-app', otlpGrpcPort: ${grpcPort}, otlpGrpcHost: '127.0.0.1' }` : undefined)
    })
    afterAll(async () => {
      await project?.vite.close()
      if (project) rmSync(project.dir, { recursive: true, force: true })
      // Closing Vite retires the last toolbar: its receiver lets go of the port.
      if (otel) expect(await bindsWithin(grpcPort, 3000)).toBe(true)
    })

    it("records a page: the loader tag, the toolbar's headers, the API's panels, the bundle", async () => {
      const { base } = project
      const { id, html, detail } = await openPage(base, await fetch(`${base}/`))
      expect(detail).toMatchObject({ id, path: '/', status: 200 })
      // The request finished: Vite's plugin re-wraps the page's body, and its end was still seen.
      expect(detail.durationMs).toBeGreaterThan(0)
      expect(detail.inFlight).toBeUndefined()
      expect(Object.keys(detail.panels)).toEqual(expect.arrayContaining(['timer', 'request', 'headers', 'routes', 'sql', 'logging']))
      // The browser loads the script the tag names: the toolbar appears only if this is JavaScript.
      const src = /<script src="([^"]+)" data-hdt-prefix/.exec(html)![1]!
      const script = await fetch(new URL(src, base))
      expect(script.status).toBe(200)
      expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
      expect((await script.text()).length).toBeGreaterThan(1000)
      if (otel) {
        const traceId = (detail.panels.opentelemetry as { traceId: string }).traceId
        expect(traceId).toMatch(/^[0-9a-f]{32}$/)
        const trace = (await (await fetch(`${base}${prefix}/api/traces/${traceId}`)).json()) as { spans: Array<{ name: string }> }
        expect(trace.spans.map((span) => span.name)).toContain('GET /')
      }
    })

    it("shows the debug error page with its stylesheet", async () => {
      const { base } = project
      const res = await fetch(`${base}/boom`, { headers: { accept: 'text/html' } })
      expect(res.status).toBe(500)
      const html = await res.text()
      expect(html).toContain('boom in version')
      const href = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!
      const css = await fetch(new URL(href, base))
      expect(css.status).toBe(200)
      expect(css.headers.get('content-type')).toMatch(/^text\/css/)
    })

    it('allows loopback and refuses a client that a proxy on this machine forwarded', async () => {
      const { base } = project
      const res = await fetch(`${base}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
      expect(res.headers.get('x-debug-toolbar-request-id')).toBeNull()
      expect(await res.text()).not.toContain('data-hdt-request-id')
      const api = await fetch(`${base}${prefix}/api/requests`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
      expect(api.status).toBe(404)
      expect((await fetch(`${base}${prefix}/api/requests`)).status).toBe(200)
    })

    it('leaves alone an app of the same process that Vite does not serve, with the same prefix', async () => {
      const { base } = project
      const before = await openPage(base, await fetch(`${base}/`))
      // Another service of the process, made after the app under Vite answered, served by @hono/node-server.
      const other = new Hono()
      other.use(debugToolbar())
      other.get('/', (c) => c.html('<html><body><h1>other</h1></body></html>'))
      const service = await startLoopbackService(other)
      try {
        const res = await fetch(`${service.base}/`)
        expect(await res.text()).toContain('other')
        const ownId = res.headers.get('x-debug-toolbar-request-id')
        const own = (await (await fetch(`${service.base}${prefix}/api/requests`)).json()) as { requests: Array<{ id: string }> }
        expect(own.requests.map((request) => request.id)).toEqual([ownId])
        // The app under Vite keeps its own toolbar: its history, and the pages after.
        const after = await openPage(base, await fetch(`${base}/`))
        const list = (await (await fetch(`${base}${prefix}/api/requests`)).json()) as { requests: Array<{ id: string }> }
        expect(list.requests.map((request) => request.id)).toEqual(expect.arrayContaining([before.id, after.id]))
        expect(list.requests.map((request) => request.id)).not.toContain(ownId)
      } finally {
        await service.close()
      }
    })

    it('keeps working, with its history, when the entry module is saved', async () => {
      const { base } = project
      const errors = vi.spyOn(console, 'error')
      try {
        const before = await openPage(base, await fetch(`${base}/`))
        // A page left open in the browser follows the live events across the save.
        const events = await fetch(`${base}${prefix}/api/events`)
        const reader = events.body!.getReader()
        const seen = readEvents(reader)
        let after = before
        const kept: Record<string, number>[] = []
        for (const version of [2, 3, 4]) {
          after = await openPage(base, await save(project, version))
          expect(after.html).toContain(`version ${version}`)
          kept.push(handles())
        }
        // The request made before the saves is still in the history, beside the ones after.
        const earlier = await fetch(`${base}${prefix}/api/requests/${before.id}`)
        expect(earlier.status).toBe(200)
        expect(((await earlier.json()) as Detail).panels.timer).toBeDefined()
        const list = (await (await fetch(`${base}${prefix}/api/requests`)).json()) as { requests: Array<{ id: string }> }
        expect(list.requests.map((request) => request.id)).toEqual(expect.arrayContaining([before.id, after.id]))
        expect(await seen.until(after.id)).toBe(true)
        await reader.cancel()
        // Nothing piles up per save: no server, socket or timer more after the third than after the first.
        expect(kept[2]!.TCPServerWrap ?? 0).toBe(kept[0]!.TCPServerWrap ?? 0)
        expect(kept[2]!.Timeout ?? 0).toBeLessThanOrEqual((kept[0]!.Timeout ?? 0) + 1)
        if (otel) {
          const traceId = (after.detail.panels.opentelemetry as { traceId: string }).traceId
          const trace = (await (await fetch(`${base}${prefix}/api/traces/${traceId}`)).json()) as { spans: Array<{ name: string }> }
          expect(trace.spans.map((span) => span.name)).toContain('GET /')
        }
        if (otel) {
          // A downstream service's spans still arrive over gRPC after the saves.
          const provider = new BasicTracerProvider({
            resource: resourceFromAttributes({ 'service.name': 'after-save' }),
            spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}` }))],
          })
          provider.getTracer('downstream').startSpan('work after the save').end()
          await provider.forceFlush()
          await provider.shutdown()
          const traces = (await (await fetch(`${base}${prefix}/api/traces?service=after-save`)).json()) as { total: number }
          expect(traces.total).toBe(1)
        }
        // No panel of a later evaluation failed to take the port the previous one held.
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(errors.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('hono-debug-toolbar'))).toEqual([])
      } finally {
        errors.mockRestore()
      }
    })
  })
}

/** A downstream service exports one span over OTLP/gRPC to the toolbar's receiver. */
async function exportOverGrpc(port: number, service: string, name: string): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}` }))],
  })
  provider.getTracer('downstream').startSpan(name).end()
  await provider.forceFlush()
  await provider.shutdown()
}

async function tracesOf(base: string, service: string): Promise<number> {
  return ((await (await fetch(`${base}${prefix}/api/traces?service=${service}`)).json()) as { total: number }).total
}

/** The OpenTelemetry panel's receiver as a request's detail shows it, once its gRPC port is bound (waits at most 3 s). */
async function grpcReceiverOf(base: string, requestId: string): Promise<{ grpcAddress?: string } | undefined> {
  const deadline = Date.now() + 3000
  for (;;) {
    const detail = (await (await fetch(`${base}${prefix}/api/requests/${requestId}`)).json()) as Detail
    const receiver = (detail.panels.opentelemetry as { receiver?: { grpcAddress?: string } }).receiver
    if (receiver?.grpcAddress || Date.now() > deadline) return receiver
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The lines the toolbar printed to stderr. */
function toolbarErrors(errors: { mock: { calls: unknown[][] } }): string[] {
  return errors.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('hono-debug-toolbar'))
}

describe('a save under @hono/vite-dev-server before the toolbar recorded any page', () => {
  let project: Project
  let grpcPort = 0
  beforeAll(async () => {
    grpcPort = await freePort()
    project = await startVite(`{ exporter: 'none', serviceName: 'vite-app', otlpGrpcPort: ${grpcPort}, otlpGrpcHost: '127.0.0.1' }`)
  })
  afterAll(async () => {
    await project?.vite.close()
    if (project) rmSync(project.dir, { recursive: true, force: true })
    // Closing Vite retires the last toolbar, and with it every one before.
    expect(await bindsWithin(grpcPort, 3000)).toBe(true)
  })

  it('hands the live events and the gRPC port on to the next toolbar, without EADDRINUSE', async () => {
    const { base } = project
    const errors = vi.spyOn(console, 'error')
    try {
      // A save before any request: Vite evaluates the entry module when a request needs it, not before.
      saveOnly(project, 2)
      // The first requests are not pages: a toolbar left open in the browser from an earlier
      // run of `vite` asks the API and follows the live events.
      const api = await fetch(`${base}${prefix}/api/requests`)
      expect(api.status).toBe(200)
      expect(((await api.json()) as { total: number }).total).toBe(0)
      const events = await fetch(`${base}${prefix}/api/events`)
      const reader = events.body!.getReader()
      const seen = readEvents(reader)
      // A downstream service already sends its spans to the gRPC receiver.
      await exportOverGrpc(grpcPort, 'before-save', 'work before the save')
      expect(await tracesOf(base, 'before-save')).toBe(1)

      // The developer saves; the pages a refused client sees wait for it without being recorded.
      await save(project, 3, true)
      const page = await openPage(base, await fetch(`${base}/`))
      expect(page.html).toContain('version 3')
      // The page left open keeps following the live events: the new toolbar took them over.
      expect(await seen.until(page.id)).toBe(true)
      await reader.cancel()
      // The new panel listens on the port the first one held.
      const receiver = await grpcReceiverOf(base, page.id)
      expect(receiver?.grpcAddress).toBe(`127.0.0.1:${grpcPort}`)
      await exportOverGrpc(grpcPort, 'after-save', 'work after the save')
      expect(await tracesOf(base, 'after-save')).toBe(1)
      // What arrived before the save is still there.
      expect(await tracesOf(base, 'before-save')).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(toolbarErrors(errors)).toEqual([])
    } finally {
      errors.mockRestore()
    }
  })
})

/**
 * The entry module of a toolbar that answers no request: `version` 1 throws after
 * `debugToolbar()` ran (an edit half done), 2 answers `/` with a route registered before the
 * toolbar's middleware; from 3 on, the app as usual.
 */
function unansweredEntry(version: number): string {
  const toolbar = `debugToolbar({ extraPanels: [new OpenTelemetryPanel(PANEL_OPTIONS)] })`
  const page = `app.get('/', (c) => c.html('<html><body><h1>version ${version}</h1></body></html>'))`
  return `import { Hono } from 'hono'
import { debugToolbar } from 'hono-debug-toolbar'
import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
const app = new Hono()
${version === 1 ? `app.use(${toolbar})\nthrow new Error('an edit half done in version 1')` : version === 2 ? `${page}\napp.use(${toolbar})` : `app.use(${toolbar})\n${page}`}
export default app
`
}

describe('under @hono/vite-dev-server, toolbars that answered no request', () => {
  let project: Project
  let grpcPort = 0
  beforeAll(async () => {
    grpcPort = await freePort()
    const options = `{ exporter: 'none', serviceName: 'vite-app', otlpGrpcPort: ${grpcPort}, otlpGrpcHost: '127.0.0.1' }`
    project = await startVite(undefined, (version) => unansweredEntry(version).replace('PANEL_OPTIONS', options))
  })
  afterAll(async () => {
    await project?.vite.close()
    if (project) rmSync(project.dir, { recursive: true, force: true })
    expect(await bindsWithin(grpcPort, 3000)).toBe(true)
  })

  it('hand the gRPC port on to the next toolbar, without EADDRINUSE', async () => {
    const { base } = project
    const errors = vi.spyOn(console, 'error')
    try {
      // The entry module throws after the toolbar was made: Vite answers with the error.
      const broken = await fetch(`${base}/`)
      expect(broken.status).toBe(500)
      await broken.text()
      // The developer finishes the edit, but the page is answered before the toolbar's middleware.
      const unrecorded = await save(project, 2)
      expect(unrecorded.headers.get('x-debug-toolbar-request-id')).toBeNull()
      await save(project, 3)
      const page = await openPage(base, await fetch(`${base}/`))
      expect(page.html).toContain('version 3')
      // The panel of the toolbar that answers listens on the port the first one took.
      expect(await grpcReceiverOf(base, page.id)).toMatchObject({ grpcAddress: `127.0.0.1:${grpcPort}` })
      await exportOverGrpc(grpcPort, 'after-saves', 'work after the saves')
      expect(await tracesOf(base, 'after-saves')).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(toolbarErrors(errors)).toEqual([])
    } finally {
      errors.mockRestore()
    }
  })
})

/**
 * An app with OpenTelemetry instrumentation of its own: `src/work.ts` takes its tracer when
 * the dev server first loads it and is never saved, so Vite keeps it across the saves of the
 * entry module, which changes the panel's service name and propagators.
 */
function tracedEntry(version: number): string {
  const propagators = version === 1 ? "['tracecontext']" : "['b3']"
  return `import { Hono } from 'hono'
import { debugToolbar } from 'hono-debug-toolbar'
import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
import { work } from './work'
const app = new Hono()
app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop-v${version}', propagators: ${propagators} })] }))
app.get('/', (c) => c.html('<html><body><h1>version ${version}</h1><p>sent: ' + work() + '</p></body></html>'))
export default app
`
}

const WORK_SOURCE = `import { context, propagation, trace } from '@opentelemetry/api'
const tracer = trace.getTracer('shop-work')
/** The app's own span, and the headers it would send downstream. */
export function work(): string {
  return tracer.startActiveSpan('app work', (span) => {
    const headers: Record<string, string> = {}
    propagation.inject(context.active(), headers)
    span.end()
    return Object.keys(headers).join(',')
  })
}
`

describe("the app's own OpenTelemetry instrumentation under @hono/vite-dev-server", () => {
  let project: Project
  beforeAll(async () => {
    project = await startVite(undefined, tracedEntry)
    writeFileSync(join(project.dir, 'src', 'work.ts'), WORK_SOURCE)
  })
  afterAll(async () => {
    await project?.vite.close()
    if (project) rmSync(project.dir, { recursive: true, force: true })
  })

  /** The service of the app's span and of the toolbar's request span in the page's trace. */
  async function servicesOf(detail: Detail): Promise<{ app: unknown; request: unknown }> {
    const traceId = (detail.panels.opentelemetry as { traceId: string }).traceId
    const trace = (await (await fetch(`${project.base}${prefix}/api/traces/${traceId}`)).json()) as {
      spans: Array<{ name: string; resource: Record<string, unknown> }>
    }
    const service = (name: string) => trace.spans.find((span) => span.name === name)?.resource['service.name']
    return { app: service('app work'), request: service('GET /') }
  }

  it('follows the panel saved last: its service name and its propagators', async () => {
    const { base } = project
    const first = await openPage(base, await fetch(`${base}/`))
    expect(await servicesOf(first.detail)).toEqual({ app: 'shop-v1', request: 'shop-v1' })
    expect(first.html).toContain('sent: traceparent<')

    const saved = await openPage(base, await save(project, 2))
    // The tracer that work.ts took at the start now starts its spans with the new panel's provider.
    expect(await servicesOf(saved.detail)).toEqual({ app: 'shop-v2', request: 'shop-v2' })
    expect(saved.html).toContain('sent: b3<')
  })
})
