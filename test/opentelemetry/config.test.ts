import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base'
import { OpenTelemetryConfigError, resolveOpenTelemetryConfig } from '../../src/opentelemetry/config.js'
import type { OpenTelemetryPanelOptions } from '../../src/opentelemetry/options.js'
import { resolveSdkSettings } from '../../src/opentelemetry/sdk-env.js'

const dirs: string[] = []
function appDir(packageJson?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'otel-config-'))
  dirs.push(dir)
  if (packageJson !== undefined) writeFileSync(join(dir, 'package.json'), packageJson)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const noPackage = appDir()
const resolve = (options: OpenTelemetryPanelOptions = {}, env: NodeJS.ProcessEnv = {}, cwd = noPackage) =>
  resolveOpenTelemetryConfig(options, env, cwd)

describe('resolveOpenTelemetryConfig defaults', () => {
  it('gives the documented defaults with no options and no variables', () => {
    expect(resolve()).toEqual({
      serviceName: 'hono-app',
      resourceAttributes: { 'service.name': 'hono-app' },
      exporters: ['otlp'],
      otlpEndpoint: 'http://localhost:4317',
      otlpProtocol: 'grpc',
      otlpHeaders: {},
      compression: 'none',
      zipkinEndpoint: 'http://localhost:9411/api/v2/spans',
      jaegerUiUrl: 'http://localhost:16686',
      zipkinUiUrl: 'http://localhost:9411',
      grafanaUrl: undefined,
      tempoDatasourceUid: 'tempo',
      propagateFetch: true,
      convert: { timer: true, sql: true, logging: true, profiling: true, templates: true },
      maxSpansPerTrace: 10_000,
      gracePeriodMs: 30_000,
      profileSpanThresholdMs: 1,
      propagators: ['tracecontext', 'baggage'],
      baggageToAttributes: [],
      sdk: resolveSdkSettings({}, false, { minQueueSize: 10_000 }),
      sanitizeQueries: true,
      knownHttpMethods: new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']),
    })
  })

  it('sizes the export queue to hold a whole trace, unless OTEL_BSP_MAX_QUEUE_SIZE says otherwise', () => {
    expect(resolve().sdk!.batch.maxQueueSize).toBe(10_000)
    expect(resolve({ maxSpansPerTrace: 500 }).sdk!.batch.maxQueueSize).toBe(2048)
    expect(resolve({ maxSpansPerTrace: 50_000 }).sdk!.batch.maxQueueSize).toBe(50_000)
    expect(resolve({}, { OTEL_BSP_MAX_QUEUE_SIZE: '1000' }).sdk!.batch.maxQueueSize).toBe(1000)
  })

  it('takes options that have no variable as given', () => {
    const config = resolve({
      jaegerUiUrl: 'https://jaeger.example.com',
      zipkinUiUrl: 'https://zipkin.example.com',
      grafanaUrl: 'http://localhost:3000',
      tempoDatasourceUid: 'my-tempo',
      propagateFetch: false,
      convert: { sql: false, profiling: false },
      maxSpansPerTrace: 50,
      gracePeriodMs: 0,
      profileSpanThresholdMs: 0.5,
    })
    expect(config).toMatchObject({
      jaegerUiUrl: 'https://jaeger.example.com',
      zipkinUiUrl: 'https://zipkin.example.com',
      grafanaUrl: 'http://localhost:3000',
      tempoDatasourceUid: 'my-tempo',
      propagateFetch: false,
      convert: { timer: true, sql: false, logging: true, profiling: false, templates: true },
      maxSpansPerTrace: 50,
      gracePeriodMs: 0,
      profileSpanThresholdMs: 0.5,
    })
  })

  it('uses the exporter instances it is given', () => {
    const exporter = new ConsoleSpanExporter()
    expect(resolve({ exporter }, { OTEL_TRACES_EXPORTER: 'zipkin' }).exporters).toEqual([exporter])
    expect(resolve({ exporter: [exporter, exporter] }).exporters).toEqual([exporter, exporter])
    expect(resolve({ exporter: [] }).exporters).toEqual([])
  })
})

describe('precedence: option, traces-specific variable, generic variable, default', () => {
  type Row = [string, OpenTelemetryPanelOptions, NodeJS.ProcessEnv, keyof ReturnType<typeof resolve>, unknown]
  const rows: Row[] = [
    // service name
    ['serviceName option', { serviceName: 'opt' }, { OTEL_SERVICE_NAME: 'env' }, 'serviceName', 'opt'],
    ['OTEL_SERVICE_NAME', {}, { OTEL_SERVICE_NAME: 'env', OTEL_RESOURCE_ATTRIBUTES: 'service.name=res' }, 'serviceName', 'env'],
    ['service.name resource attribute', {}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=res' }, 'serviceName', 'res'],
    ['empty variable is unset', {}, { OTEL_SERVICE_NAME: '' }, 'serviceName', 'hono-app'],
    // protocol
    ['otlpProtocol option', { otlpProtocol: 'http/json' }, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'otlpProtocol', 'http/json'],
    ['traces protocol variable', {}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'otlpProtocol', 'http/protobuf'],
    ['generic protocol variable', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'otlpProtocol', 'http/json'],
    ['variable values ignore case', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/JSON' }, 'otlpProtocol', 'http/json'],
    // endpoint
    ['otlpEndpoint option', { otlpEndpoint: 'http://opt:4317' }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4317' }, 'otlpEndpoint', 'http://opt:4317'],
    ['otlpEndpoint option over http is used as is', { otlpEndpoint: 'http://opt:4318/custom', otlpProtocol: 'http/protobuf' }, {}, 'otlpEndpoint', 'http://opt:4318/custom'],
    ['traces endpoint variable, grpc', {}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4317' }, 'otlpEndpoint', 'http://t:4317'],
    ['traces endpoint variable over http is used as is', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom' }, 'otlpEndpoint', 'http://t:4318/custom'],
    ['generic endpoint variable, grpc', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4317' }, 'otlpEndpoint', 'http://g:4317'],
    ['generic endpoint variable over http gets /v1/traces', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4318' }, 'otlpEndpoint', 'http://g:4318/v1/traces'],
    ['generic endpoint with a path and a slash', {}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://g:4318/otel/' }, 'otlpEndpoint', 'http://g:4318/otel/v1/traces'],
    ['default endpoint over http', { otlpProtocol: 'http/protobuf' }, {}, 'otlpEndpoint', 'http://localhost:4318/v1/traces'],
    ['default endpoint over grpc', {}, {}, 'otlpEndpoint', 'http://localhost:4317'],
    // headers
    ['otlpHeaders option', { otlpHeaders: { 'x-opt': '1' } }, { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-t=1', OTEL_EXPORTER_OTLP_HEADERS: 'x-g=1' }, 'otlpHeaders', { 'x-opt': '1' }],
    ['traces headers variable', {}, { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-t=1', OTEL_EXPORTER_OTLP_HEADERS: 'x-g=1' }, 'otlpHeaders', { 'x-t': '1' }],
    ['generic headers variable, percent-decoded', {}, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b%3Dc, x-tenant = t1 ,' }, 'otlpHeaders', { 'api-key': 'a b=c', 'x-tenant': 't1' }],
    // compression
    ['compression option', { compression: 'none' }, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip' }, 'compression', 'none'],
    ['traces compression variable', {}, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }, 'compression', 'gzip'],
    ['generic compression variable', {}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }, 'compression', 'gzip'],
    // exporters
    ['exporter option', { exporter: 'zipkin' }, { OTEL_TRACES_EXPORTER: 'console' }, 'exporters', ['zipkin']],
    ['exporter option none', { exporter: 'none' }, {}, 'exporters', []],
    ['OTEL_TRACES_EXPORTER list', {}, { OTEL_TRACES_EXPORTER: 'otlp, zipkin,console' }, 'exporters', ['otlp', 'zipkin', 'console']],
    ['OTEL_TRACES_EXPORTER none', {}, { OTEL_TRACES_EXPORTER: 'none' }, 'exporters', []],
    ['none beside others is ignored', {}, { OTEL_TRACES_EXPORTER: 'none,zipkin,zipkin' }, 'exporters', ['zipkin']],
    // zipkin endpoint
    ['zipkinEndpoint option', { zipkinEndpoint: 'http://opt:9411/api/v2/spans' }, { OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://env:9411/api/v2/spans' }, 'zipkinEndpoint', 'http://opt:9411/api/v2/spans'],
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', {}, { OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://env:9411/api/v2/spans' }, 'zipkinEndpoint', 'http://env:9411/api/v2/spans'],
  ]
  it.each(rows)('%s', (_name, options, env, field, expected) => {
    expect(resolve(options, env)[field]).toEqual(expected)
  })
})

describe('resource attributes', () => {
  it('merges OTEL_RESOURCE_ATTRIBUTES under the option, per key, percent-decoded', () => {
    const config = resolve(
      { serviceName: 'api', resourceAttributes: { 'deployment.environment': 'dev', replicas: 2 } },
      { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=a%2Cb%20c, host.name = box ' },
    )
    expect(config.resourceAttributes).toEqual({
      'deployment.environment': 'dev',
      team: 'a,b c',
      'host.name': 'box',
      replicas: 2,
      'service.name': 'api',
    })
  })
})

describe('service name from package.json', () => {
  it('reads the name of package.json in cwd', () => {
    expect(resolve({}, {}, appDir(JSON.stringify({ name: '@acme/shop' }))).serviceName).toBe('@acme/shop')
  })

  it('falls back to hono-app when package.json has no name or cannot be read', () => {
    expect(resolve({}, {}, appDir(JSON.stringify({ version: '1.0.0' }))).serviceName).toBe('hono-app')
    expect(resolve({}, {}, appDir('{ not json')).serviceName).toBe('hono-app')
  })

  it('prefers OTEL_SERVICE_NAME over package.json', () => {
    expect(resolve({}, { OTEL_SERVICE_NAME: 'from-env' }, appDir(JSON.stringify({ name: 'pkg' }))).serviceName).toBe('from-env')
  })
})

describe('invalid values throw OpenTelemetryConfigError naming the source', () => {
  const cases: Array<[OpenTelemetryPanelOptions, NodeJS.ProcessEnv, string]> = [
    [{}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grcp' }, 'OTEL_EXPORTER_OTLP_PROTOCOL: unknown protocol "grcp" (expected grpc, http/protobuf or http/json)'],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unknown protocol "http" (expected grpc, http/protobuf or http/json)'],
    [{ otlpProtocol: 'udp' as never }, {}, 'otlpProtocol: unknown protocol "udp" (expected grpc, http/protobuf or http/json)'],
    [{}, { OTEL_TRACES_EXPORTER: 'otlp,jaeger' }, 'OTEL_TRACES_EXPORTER: unknown exporter "jaeger" (expected otlp, zipkin, console or none)'],
    [{ exporter: 'jaeger' as never }, {}, 'exporter: unknown exporter "jaeger" (expected otlp, zipkin, console or none)'],
    [{ exporter: [{}] as never }, {}, 'exporter: expected otlp, zipkin, console, none, a SpanExporter or an array of SpanExporters'],
    [{}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' }, 'OTEL_EXPORTER_OTLP_COMPRESSION: unknown compression "brotli" (expected gzip or none)'],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'zstd' }, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: unknown compression "zstd" (expected gzip or none)'],
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317' }, 'OTEL_EXPORTER_OTLP_ENDPOINT: malformed URL "localhost:4317" (expected an http:// or https:// URL)'],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http//collector' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: malformed URL "http//collector" (expected an http:// or https:// URL)'],
    [{ otlpEndpoint: 'not a url' }, {}, 'otlpEndpoint: malformed URL "not a url" (expected an http:// or https:// URL)'],
    [{}, { OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'ftp://zipkin/api' }, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT: malformed URL "ftp://zipkin/api" (expected an http:// or https:// URL)'],
    [{ jaegerUiUrl: '' }, {}, 'jaegerUiUrl: malformed URL "" (expected an http:// or https:// URL)'],
    [{ grafanaUrl: 'grafana' }, {}, 'grafanaUrl: malformed URL "grafana" (expected an http:// or https:// URL)'],
    [{}, { OTEL_EXPORTER_OTLP_HEADERS: 'api-key' }, 'OTEL_EXPORTER_OTLP_HEADERS: malformed key=value pair "api-key"'],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_HEADERS: '=v' }, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS: malformed key=value pair "=v"'],
    [{}, { OTEL_EXPORTER_OTLP_HEADERS: 'k=%zz' }, 'OTEL_EXPORTER_OTLP_HEADERS: malformed percent-encoding in "%zz"'],
    [{}, { OTEL_RESOURCE_ATTRIBUTES: 'team=a,broken' }, 'OTEL_RESOURCE_ATTRIBUTES: malformed key=value pair "broken"'],
    [{ maxSpansPerTrace: 0 }, {}, 'maxSpansPerTrace: expected a positive integer, got 0'],
    [{ maxSpansPerTrace: -5 }, {}, 'maxSpansPerTrace: expected a positive integer, got -5'],
    [{ maxSpansPerTrace: 1.5 }, {}, 'maxSpansPerTrace: expected a positive integer, got 1.5'],
    [{ gracePeriodMs: -1 }, {}, 'gracePeriodMs: expected a non-negative number, got -1'],
    [{ profileSpanThresholdMs: Number.NaN }, {}, 'profileSpanThresholdMs: expected a non-negative number, got NaN'],
    [{ serviceName: '' }, {}, 'serviceName: expected a non-empty string, got ""'],
    [{ propagateFetch: 'yes' as never }, {}, 'propagateFetch: expected true or false, got "yes"'],
    [{ convert: { sql: 1 as never } }, {}, 'convert.sql: expected true or false, got 1'],
    // Taken before as every conversion on: `convert: false` converted everything, a misspelt key was ignored.
    [{ convert: false as never }, {}, 'convert: expected an object { timer, sql, logging, profiling, templates } of true or false, got false'],
    [{ convert: { sqll: false } as never }, {}, 'convert.sqll: not a conversion (expected timer, sql, logging, profiling or templates)'],
  ]
  it.each(cases)('%o %o', (options, env, message) => {
    let error: unknown
    try {
      resolve(options, env)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(OpenTelemetryConfigError)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe(message)
  })

  it('does not read a variable that an option overrides', () => {
    expect(resolve({ otlpProtocol: 'grpc' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grcp' }).otlpProtocol).toBe('grpc')
  })
})
