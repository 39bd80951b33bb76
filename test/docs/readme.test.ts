import { afterAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { Hono } from 'hono'
import { debugToolbar, MemoryStore, Panel, Toolbar, type ToolbarHost } from '../../src/index.js'
import { LOOPBACK } from '../../src/core/access.js'
import { normalizePrefix } from '../../src/core/options.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { resolveOpenTelemetryConfig } from '../../src/opentelemetry/config.js'
import { resolveReceiverConfig } from '../../src/opentelemetry/receiver-config.js'

// README.md is what users copy from: its tables of options, routes and MCP tools must name
// what the code has, no more and no less. Each test reads a README table and the code it
// describes (an options interface, the toolbar's registered routes, the MCP server's tools).

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** The README's text from the heading `title` to the next heading of the same or a higher level. */
function section(title: string): string {
  const lines = readme.split('\n')
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === title)
  if (start < 0) throw new Error(`README has no heading "${title}"`)
  const level = lines[start]!.match(/^#+/)![0].length
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.match(/^#+/)![0].length <= level)
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n')
}

/** The rows (as cells) of the Markdown table whose header row starts with `| first |`, in `text`. */
function tableRows(text: string, first: string): string[][] {
  const lines = text.split('\n')
  const header = lines.findIndex((line) => line.startsWith(`| ${first} |`))
  if (header < 0) throw new Error(`no table starting with "| ${first} |"`)
  const rows: string[][] = []
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
  }
  return rows
}

/** The first cells of that table. */
function firstColumn(text: string, first: string): string[] {
  return tableRows(text, first).map((row) => row[0]!)
}

/** The `code` spans of a text, fenced blocks left out: "`grafanaUrl`, `tempoDatasourceUid`" gives both names. */
function codeSpans(cell: string): string[] {
  const prose = cell.replace(/^```[^]*?^```$/gm, '')
  return [...prose.matchAll(/`([^`]+)`/g)].map((match) => match[1]!)
}

/** A source file of the project, parsed (not type-checked). */
function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true)
}

/** The top-level statements of `source` of one kind. */
function topLevel<T extends ts.Node>(source: ts.SourceFile, is: (node: ts.Node) => node is T): T[] {
  return source.statements.filter((node): node is ts.Statement & T => is(node))
}

/** Property names of an interface in a source file, with those of the interfaces it extends in the same file. */
function interfaceProperties(file: string, name: string): string[] {
  const source = parse(file)
  const declarations = new Map(topLevel(source, ts.isInterfaceDeclaration).map((node) => [node.name.text, node]))
  const collect = (interfaceName: string): string[] => {
    const declaration = declarations.get(interfaceName)
    if (!declaration) throw new Error(`${file} has no interface ${interfaceName}`)
    const own = declaration.members.filter(ts.isPropertySignature).map((member) => member.name.getText(source))
    const inherited = (declaration.heritageClauses ?? [])
      .flatMap((clause) => clause.types.map((type) => type.expression.getText(source)))
      .filter((parent) => declarations.has(parent))
      .flatMap(collect)
    return [...inherited, ...own]
  }
  return collect(name)
}

describe('README option tables name every option, and only options that exist', () => {
  const cases = [
    { table: 'debugToolbar(options)', section: 'Configuration', first: 'option', file: 'src/core/options.ts', type: 'DebugToolbarOptions' },
    { table: 'new OpenTelemetryPanel(options)', section: 'OpenTelemetry', first: 'option', file: 'src/opentelemetry/options.ts', type: 'OpenTelemetryPanelOptions' },
    { table: 'new SqlPanel(options)', section: 'SQL', first: '`SqlPanel` option', file: 'src/panels/sql.ts', type: 'SqlPanelOptions' },
  ]
  for (const { table, section: title, first, file, type } of cases) {
    it(table, () => {
      const documented = firstColumn(section(title), first).flatMap(codeSpans)
      const declared = interfaceProperties(file, type)
      expect({ missingFromReadme: declared.filter((name) => !documented.includes(name)), notAnOption: documented.filter((name) => !declared.includes(name)) }).toEqual({
        missingFromReadme: [],
        notAnOption: [],
      })
    })
  }

  it('new OpenTelemetryPanel(options): each plain default the table states is the one used without options or variables', () => {
    const resolved: Record<string, unknown> = { ...resolveOpenTelemetryConfig({}, {}, root) }
    const receiver = resolveReceiverConfig({})
    Object.assign(resolved, { otlpGrpcHost: receiver.grpcHost, otlpMaxBodyBytes: receiver.maxBodyBytes, maxSpans: receiver.maxSpans })
    const stated: Record<string, unknown> = {}
    for (const [option, , defaultCell] of tableRows(section('OpenTelemetry'), 'option')) {
      const names = codeSpans(option!)
      const first = defaultCell!.match(/^`([^`]+)`/)?.[1]
      if (names.length !== 1 || first === undefined || !(names[0]! in resolved)) continue
      // A default the cell opens with, written as a value: `'grpc'`, `http://localhost:16686`, `10000`, `true`, `['tracecontext', 'baggage']`.
      const value = /^https?:\/\//.test(first) ? first : /^['\d[]|^(true|false)$/.test(first) ? JSON.parse(first.replaceAll("'", '"')) : undefined
      if (value !== undefined) stated[names[0]!] = value
    }
    expect(Object.keys(stated).length).toBeGreaterThan(10)
    expect(stated).toEqual(Object.fromEntries(Object.keys(stated).map((name) => [name, resolved[name]])))
  })

  it('debugToolbar(options): each plain default the table states is the one applied', () => {
    const toolbar = new Toolbar(normalizePrefix(), [], {})
    const applied: Record<string, unknown> = { prefix: toolbar.prefix, maxRequests: (toolbar.store as MemoryStore).maxRequests, allowedHosts: LOOPBACK }
    const stated: Record<string, unknown> = {}
    for (const [option, defaultCell] of tableRows(section('Configuration'), 'option')) {
      const name = codeSpans(option!)[0]!
      const value = defaultCell!.match(/^`([^`]+)`$/)?.[1]
      // A default written as a value: `'/_debug_toolbar'`, `50`, `['127.0.0.0/8', '::1']`.
      if (name in applied && value !== undefined) stated[name] = JSON.parse(value.replaceAll("'", '"'))
    }
    expect(stated).toEqual(applied)
  })

  it('debugToolbar(options): a function option\'s shape in the table is its declared type', () => {
    const source = parse('src/core/options.ts')
    const options = topLevel(source, ts.isInterfaceDeclaration).find((node) => node.name.text === 'DebugToolbarOptions')!
    // `(c: Context) => string | undefined` is written `(c) => string \| undefined` in the table.
    const declared = new Map(
      options.members.filter(ts.isPropertySignature).map((member) => [member.name.getText(source), member.type!.getText(source).replace(/\((\w+): \w+\)/g, '($1)')]),
    )
    const shapes = tableRows(section('Configuration'), 'option')
      .map(([option, , does]) => [codeSpans(option!)[0]!, does!.replaceAll('\\|', '|').match(/^`(\(\w+\) => [^`]+)`/)?.[1]] as const)
      .filter((row): row is readonly [string, string] => row[1] !== undefined)
    expect(shapes.length).toBeGreaterThan(2)
    expect(Object.fromEntries(shapes)).toEqual(Object.fromEntries(shapes.map(([name]) => [name, declared.get(name)])))
  })

  // Options given as an object in a table cell: `{ replaySize, replayWindowMs, clientQueueSize, heartbeatMs }`.
  const nested = [
    { option: 'liveEvents', section: 'Configuration', file: 'src/core/live-routes.ts', type: 'LiveEventsOptions' },
    { option: 'mcp', section: 'Configuration', file: 'src/core/options.ts', type: 'McpServerOptions' },
    { option: 'convert', section: 'OpenTelemetry', file: 'src/opentelemetry/options.ts', type: 'ConvertOptions' },
    { option: 'exportBreaker', section: 'OpenTelemetry', file: 'src/opentelemetry/export-breaker.ts', type: 'ExportBreakerOptions' },
  ]
  for (const { option, section: title, file, type } of nested) {
    it(`${option}: { ... } names the fields of ${type}`, () => {
      const row = tableRows(section(title), 'option').find((cells) => codeSpans(cells[0]!).includes(option))
      const object = row?.flatMap((cell) => codeSpans(cell)).find((span) => span.startsWith('{ '))
      expect(object, `README's ${option} row writes its fields as { ... }`).toBeDefined()
      const fields = [...object!.matchAll(/(\w+)(?::[^,}]*)?\s*[,}]/g)].map((match) => match[1]!)
      expect(fields.sort()).toEqual(interfaceProperties(file, type).sort())
    })
  }

  it('the durable stores: every option of SqliteStore and PostgresStore is named in "Stores"', () => {
    const text = section('Stores: keeping the history')
    // An option is named in prose (`maxQueued`) or passed in a sample (`new SqliteStore({ path: ... })`).
    const named = new Set([...codeSpans(text), ...[...text.matchAll(/\b(\w+): /g)].map((match) => match[1]!)])
    const options = [
      ...interfaceProperties('src/store/sqlite.ts', 'SqliteStoreOptions'),
      ...interfaceProperties('src/store/postgres.ts', 'PostgresStoreOptions'),
    ]
    expect(options.filter((name) => !named.has(name))).toEqual([])
  })
})

describe('README "Writing a panel" names every hook of Panel', () => {
  it('lists each public method of the Panel class', () => {
    const source = parse('src/core/panel.ts')
    const panel = topLevel(source, ts.isClassDeclaration).find((node) => node.name?.text === 'Panel')
    const hidden = (member: ts.ClassElement) => ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)
    const hooks = (panel?.members ?? []).filter((member) => ts.isMethodDeclaration(member) && !hidden(member)).map((member) => member.name!.getText(source))
    expect(hooks.length).toBeGreaterThan(5)
    // A hook is named with its parameters: `setup(host)`, `around(record, c, next)`.
    const named = new Set(codeSpans(section('Writing a panel')).map((span) => span.match(/^(\w+)\(/)?.[1]))
    expect(hooks.filter((hook) => !named.has(hook))).toEqual([])
  })
})

describe('README live events table', () => {
  it('names every event type and every data field the stream sends', () => {
    const source = parse('src/core/events.ts')
    const alias = topLevel(source, ts.isTypeAliasDeclaration).find((node) => node.name.text === 'ToolbarEventType')
    const types = alias && ts.isUnionTypeNode(alias.type) ? alias.type.types.map((type) => type.getText(source).replaceAll("'", '')) : []
    const rows = tableRows(section('Live events'), 'event')
    // `events.dropped` is sent to one slow client, outside ToolbarEventType.
    expect(rows.flatMap((row) => codeSpans(row[0]!)).sort()).toEqual([...types, 'events.dropped'].sort())
    const fields = dataFields(source)
    expect(fields.length).toBeGreaterThan(3)
    const named = new Set(rows.flatMap((row) => codeSpans(row[2]!).map((span) => span.replace(/\?$/, ''))))
    expect(fields.filter((field) => !named.has(field))).toEqual([])
  })

  /** The fields of `ToolbarEvent['data']`. */
  function dataFields(source: ts.SourceFile): string[] {
    const event = topLevel(source, ts.isInterfaceDeclaration).find((node) => node.name.text === 'ToolbarEvent')
    const data = event?.members.find((member) => member.name?.getText(source) === 'data')
    if (!data || !ts.isPropertySignature(data) || !data.type || !ts.isTypeLiteralNode(data.type)) return []
    return data.type.members.map((member) => member.name!.getText(source))
  }
})

describe('README imports only what the entry points export', () => {
  it('every name a README sample imports from hono-debug-toolbar, and every name "Also exported" lists', async () => {
    const entries: Record<string, string> = {
      'hono-debug-toolbar': '../../src/index.js',
      'hono-debug-toolbar/opentelemetry': '../../src/opentelemetry/index.js',
      'hono-debug-toolbar/store/sqlite': '../../src/store/sqlite.js',
      'hono-debug-toolbar/store/postgres': '../../src/store/postgres.js',
    }
    const wanted: Array<[string, string]> = []
    for (const [, names, from] of readme.matchAll(/import \{([^}]+)\} from '(hono-debug-toolbar[^']*)'/g)) {
      for (const name of names!.split(',').map((each) => each.trim())) {
        // Types (`type RequestRecord`) leave nothing at run time.
        if (name && !name.startsWith('type ')) wanted.push([from!, name.split(' as ')[0]!])
      }
    }
    for (const [, list] of readme.matchAll(/Also exported: ([^]*?)\n\n/g)) {
      for (const [, name] of list!.matchAll(/`(\w+)/g)) wanted.push(['hono-debug-toolbar/opentelemetry', name!])
    }
    expect(wanted.length).toBeGreaterThan(20)
    const missing: string[] = []
    for (const [from, name] of wanted) {
      const module = (await import(entries[from]!)) as Record<string, unknown>
      if (!(name in module)) missing.push(`${name} from '${from}'`)
    }
    expect(missing).toEqual([])
  })
})

describe('README "Also exported" gives each function with the parameters it takes', () => {
  it('as many parameters, the optional ones marked `?`', () => {
    const sources = readdirSync(join(root, 'src/opentelemetry'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => parse(`src/opentelemetry/${file}`))
    const declared = new Map<string, string[]>()
    for (const source of sources) {
      for (const fn of topLevel(source, ts.isFunctionDeclaration)) {
        if (fn.name) declared.set(fn.name.text, fn.parameters.map((p) => (p.questionToken || p.initializer ? 'optional' : 'required')))
      }
    }
    const [, list] = readme.match(/Also exported: ([^]*?)\n\n/) ?? []
    const written = [...list!.matchAll(/`(\w+)\(([^)]*)\)`/g)].map(([, name, args]) => [
      name!,
      args!.split(',').filter((arg) => arg.trim()).map((arg) => (arg.trim().endsWith('?') ? 'optional' : 'required')),
    ] as const)
    expect(written.length).toBeGreaterThan(5)
    expect(Object.fromEntries(written)).toEqual(Object.fromEntries(written.map(([name]) => [name, declared.get(name)])))
  })
})

describe('README HTTP API table lists the routes the toolbar serves', () => {
  let host: ToolbarHost | undefined
  // A panel that keeps the toolbar it is set up with, to read the routes registered on it.
  class SpyPanel extends Panel<object> {
    readonly id = 'spy'
    readonly title = 'Spy'
    setup(toolbar: ToolbarHost) {
      host = toolbar
    }
    generateStats() {
      return {}
    }
  }
  const spy = new SpyPanel()
  const otel = new OpenTelemetryPanel({ exporter: 'none' })
  const app = new Hono()
  const upgradeWebSocket = (() => async () => undefined) as never
  app.use(debugToolbar({ app, upgradeWebSocket, extraPanels: [otel, spy] }))
  afterAll(() => otel.shutdown())

  // Routes that only tell a misdirected exporter the path to use (README says so in
  // "Spans of other services"): a POST to the prefix, to `/otlp`, to metrics or logs.
  const pathHelpers = [
    'POST /',
    'POST /otlp',
    'POST /v1/traces',
    'POST /otlp/v1/trace',
    'POST /otlp/v1/:',
    'POST /zipkin',
    'POST /api/v2/spans',
    'POST /api/v1/spans',
  ]

  /** `GET /api/profiles/:file{.+\.cpuprofile}` and README's `GET /api/profiles/:requestId.cpuprofile` both give `GET /api/profiles/:.cpuprofile`. */
  const canonical = (method: string, path: string) =>
    `${method} ${
      path
        .replace(/:\w+\{\.\+\\\.(\w+)\}/g, ':.$1')
        .replace(/:\w+(\{[^}]*\})?/g, ':')
        .replace(/\?.*$/, '') || '/'
    }`

  function documentedRoutes(): string[] {
    const routes: string[] = []
    for (const row of tableRows(section('HTTP API'), 'route')) {
      let method = 'GET'
      // The route's own cell, and the other paths its answer says it is also at.
      const also = [...row[1]!.matchAll(/\balso (?:at )?`(\/[^`]+)`/g)].map((match) => match[1]!)
      for (const span of [...codeSpans(row[0]!), ...also]) {
        const [, given, path] = span.match(/^(?:(GET|POST|PUT|DELETE) )?(\/\S*)$/) ?? []
        if (!path) continue
        method = given ?? method
        // `/api/sql/:requestId/:queryId[/explain]`: with and without the optional part.
        const optional = path.match(/^(.*)\[(.*)\]$/)
        for (const each of optional ? [optional[1]!, optional[1]! + optional[2]!] : [path]) routes.push(canonical(method, each))
      }
    }
    return routes
  }

  it('every route under the prefix is in the table, and every route of the table is served', async () => {
    await app.request('/_debug_toolbar/healthz')
    expect(host).toBeDefined()
    const served = new Set<string>()
    for (const route of host!.routes.routes) {
      // `ALL` routes answer 405 (with `Allow`) to the other methods of a documented route; `/mcp` is the exception, an ALL route of its own.
      const path = route.path.slice('/_debug_toolbar'.length) || '/'
      if (route.method === 'ALL' && path !== '/mcp') continue
      served.add(canonical(route.method === 'ALL' ? 'POST' : route.method, path))
    }
    const documented = new Set(documentedRoutes())
    expect({
      notInReadme: [...served].filter((route) => !documented.has(route) && !pathHelpers.includes(route)),
      notServed: [...documented].filter((route) => !served.has(route)),
    }).toEqual({ notInReadme: [], notServed: [] })
  })
})

describe('README MCP tool table lists the tools the server has, with their arguments', () => {
  it('names every tool, and every argument of every tool somewhere in its section', async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    const res = await app.request(
      '/_debug_toolbar/mcp',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      },
      { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
    )
    expect(res.status).toBe(200)
    const { result } = (await res.json()) as { result: { tools: Array<{ name: string; inputSchema: { properties?: Record<string, unknown> } }> } }
    const text = section('MCP server for coding agents')
    const documented = firstColumn(text, 'tool').flatMap(codeSpans)
    // An argument is named alone (`route`) or with a value (`request_ids: [before, after]`).
    const named = new Set(codeSpans(text).map((span) => span.match(/^"?(\w+)"?: /)?.[1] ?? span))
    expect(documented.sort()).toEqual(result.tools.map((tool) => tool.name).sort())
    const unnamed = result.tools.flatMap((tool) =>
      Object.keys(tool.inputSchema.properties ?? {})
        .filter((argument) => !named.has(argument))
        .map((argument) => `${tool.name}.${argument}`),
    )
    expect(unnamed).toEqual([])
  })
})
