/**
 * Resolves `OpenTelemetryPanelOptions` against the standard OpenTelemetry environment
 * variables. Precedence for every setting: the option, then the traces-specific variable,
 * then the generic variable, then the default (see specs/propagation.md).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import type {
  ConvertOptions,
  ExporterName,
  OpenTelemetryPanelOptions,
  OtlpProtocol,
  ResolvedOpenTelemetryConfig,
} from './options.js'
import { OpenTelemetryConfigError } from './config-error.js'
import { resolvePropagatorNames } from './propagators.js'
import { resolveSdkSettings } from './sdk-env.js'
import { knownHttpMethods } from './http-conventions.js'
import { setOwn } from './span-model.js'

export { OpenTelemetryConfigError }

const EXPORTERS: readonly ExporterName[] = ['otlp', 'zipkin', 'console', 'none']
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json']
const COMPRESSIONS = ['gzip', 'none'] as const
const CONVERT_KEYS: ReadonlyArray<keyof ConvertOptions> = ['timer', 'sql', 'logging', 'profiling', 'templates']

const DEFAULT_GRPC_ENDPOINT = 'http://localhost:4317'
const DEFAULT_HTTP_ENDPOINT = 'http://localhost:4318/v1/traces'

/** A value and the name of the option or variable it came from, for error messages. */
interface Sourced<T> {
  value: T
  source: string
}

/**
 * Applies environment variables and defaults to the panel's options. Throws
 * `OpenTelemetryConfigError`, naming the option or variable, on a value it cannot use.
 *
 * @example
 * ```ts
 * const config = resolveOpenTelemetryConfig({ otlpProtocol: 'http/protobuf' })
 * config.otlpEndpoint // 'http://localhost:4318/v1/traces' unless OTEL_EXPORTER_OTLP_*ENDPOINT says otherwise
 * ```
 */
export function resolveOpenTelemetryConfig(
  options: OpenTelemetryPanelOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedOpenTelemetryConfig {
  const read = (name: string): Sourced<string> | undefined => {
    // The OpenTelemetry spec treats an empty variable as unset.
    const value = env[name]?.trim()
    return value ? { value, source: name } : undefined
  }
  const option = <T>(name: keyof OpenTelemetryPanelOptions): Sourced<T> | undefined =>
    options[name] === undefined ? undefined : { value: options[name] as T, source: name }

  const envResource = read('OTEL_RESOURCE_ATTRIBUTES')
  const resourceAttributes: Record<string, string | number | boolean> = {
    ...(envResource ? parseKeyValueList(envResource) : {}),
    ...checkAttributes(options.resourceAttributes),
  }
  const serviceName = resolveServiceName(options, read('OTEL_SERVICE_NAME'), resourceAttributes, cwd)
  // One place holds the service name, so the resource cannot disagree with it.
  resourceAttributes['service.name'] = serviceName

  const protocol = option<string>('otlpProtocol') ?? read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL')
  const otlpProtocol = protocol ? oneOf(protocol, PROTOCOLS, 'protocol') : 'grpc'

  const compression = option<string>('compression') ?? read('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? read('OTEL_EXPORTER_OTLP_COMPRESSION')
  const headers = read('OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? read('OTEL_EXPORTER_OTLP_HEADERS')
  const zipkin = option<string>('zipkinEndpoint') ?? read('OTEL_EXPORTER_ZIPKIN_ENDPOINT')
  const maxSpansPerTrace = number(option<number>('maxSpansPerTrace') ?? { value: 10_000, source: 'maxSpansPerTrace' }, 'positive integer')

  return {
    serviceName,
    resourceAttributes,
    exporters: resolveExporters(options.exporter, read('OTEL_TRACES_EXPORTER')),
    otlpEndpoint: resolveOtlpEndpoint(options, otlpProtocol, read),
    otlpProtocol,
    otlpHeaders:
      options.otlpHeaders !== undefined
        ? checkHeaders(options.otlpHeaders)
        : headers
          ? (parseKeyValueList(headers) as Record<string, string>)
          : {},
    compression: compression ? oneOf(compression, COMPRESSIONS, 'compression') : 'none',
    zipkinEndpoint: zipkin ? checkUrl(zipkin) : 'http://localhost:9411/api/v2/spans',
    jaegerUiUrl: checkUrl(option<string>('jaegerUiUrl') ?? { value: 'http://localhost:16686', source: 'jaegerUiUrl' }),
    zipkinUiUrl: checkUrl(option<string>('zipkinUiUrl') ?? { value: 'http://localhost:9411', source: 'zipkinUiUrl' }),
    grafanaUrl: options.grafanaUrl === undefined ? undefined : checkUrl({ value: options.grafanaUrl, source: 'grafanaUrl' }),
    tempoDatasourceUid: nonEmpty(option<string>('tempoDatasourceUid') ?? { value: 'tempo', source: 'tempoDatasourceUid' }),
    propagateFetch: boolean(option<boolean>('propagateFetch') ?? { value: true, source: 'propagateFetch' }),
    propagators: resolvePropagatorNames(options.propagators, read('OTEL_PROPAGATORS')?.value),
    baggageToAttributes: stringList(option<unknown>('baggageToAttributes') ?? { value: [], source: 'baggageToAttributes' }),
    convert: resolveConvert(options.convert),
    maxSpansPerTrace,
    gracePeriodMs: number(option<number>('gracePeriodMs') ?? { value: 30_000, source: 'gracePeriodMs' }, 'non-negative'),
    profileSpanThresholdMs: number(option<number>('profileSpanThresholdMs') ?? { value: 1, source: 'profileSpanThresholdMs' }, 'non-negative'),
    // The app's own provider reads these variables by its own rules: only the panel's SDK uses ours.
    // The export queue holds a whole trace by default: a request of 5,000 spans is exported whole.
    sdk: options.tracerProvider ? undefined : resolveSdkSettings(env, options.sampler !== undefined, { minQueueSize: maxSpansPerTrace }),
    sanitizeQueries: boolean(option<boolean>('sanitizeQueries') ?? { value: true, source: 'sanitizeQueries' }),
    knownHttpMethods: knownHttpMethods(read('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS')?.value),
  }
}

function resolveServiceName(
  options: OpenTelemetryPanelOptions,
  fromEnv: Sourced<string> | undefined,
  resourceAttributes: Record<string, string | number | boolean>,
  cwd: string,
): string {
  if (options.serviceName !== undefined) return nonEmpty({ value: options.serviceName, source: 'serviceName' })
  if (fromEnv) return fromEnv.value
  const fromResource = resourceAttributes['service.name']
  if (typeof fromResource === 'string' && fromResource !== '') return fromResource
  return packageName(cwd) ?? 'hono-app'
}

function packageName(cwd: string): string | undefined {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
    const name = (pkg as { name?: unknown } | null)?.name
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined
  } catch {
    // No package.json, or one we cannot read: the documented fallback applies.
    return undefined
  }
}

function resolveExporters(
  fromOption: OpenTelemetryPanelOptions['exporter'],
  fromEnv: Sourced<string> | undefined,
): Array<ExporterName | SpanExporter> {
  if (fromOption !== undefined) {
    if (typeof fromOption === 'string') {
      const name = oneOf({ value: fromOption, source: 'exporter' }, EXPORTERS, 'exporter')
      return name === 'none' ? [] : [name]
    }
    const list = Array.isArray(fromOption) ? fromOption : [fromOption]
    for (const exporter of list) {
      if (typeof (exporter as Partial<SpanExporter> | null)?.export !== 'function') {
        throw new OpenTelemetryConfigError(
          'exporter: expected otlp, zipkin, console, none, a SpanExporter or an array of SpanExporters',
        )
      }
    }
    return [...list]
  }
  if (!fromEnv) return ['otlp']
  const names = fromEnv.value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => oneOf({ value: item, source: fromEnv.source }, EXPORTERS, 'exporter'))
  // 'none' only means something alone; beside real exporters it adds nothing.
  return [...new Set(names.filter((name) => name !== 'none'))]
}

function resolveOtlpEndpoint(
  options: OpenTelemetryPanelOptions,
  protocol: OtlpProtocol,
  read: (name: string) => Sourced<string> | undefined,
): string {
  const http = protocol !== 'grpc'
  if (options.otlpEndpoint !== undefined) return checkUrl({ value: options.otlpEndpoint, source: 'otlpEndpoint' })
  const traces = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  if (traces) return checkUrl(traces)
  const generic = read('OTEL_EXPORTER_OTLP_ENDPOINT')
  if (generic) {
    const base = checkUrl(generic)
    // The generic endpoint is a base URL; over HTTP the signal's path goes after it.
    return http ? `${base.replace(/\/+$/, '')}/v1/traces` : base
  }
  return http ? DEFAULT_HTTP_ENDPOINT : DEFAULT_GRPC_ENDPOINT
}

function resolveConvert(convert: ConvertOptions | undefined): Required<ConvertOptions> {
  if (convert !== undefined && (typeof convert !== 'object' || convert === null || Array.isArray(convert))) {
    throw new OpenTelemetryConfigError(`convert: expected an object { ${CONVERT_KEYS.join(', ')} } of true or false, got ${JSON.stringify(convert)}`)
  }
  for (const key of Object.keys(convert ?? {})) {
    if (!CONVERT_KEYS.includes(key as keyof ConvertOptions)) {
      throw new OpenTelemetryConfigError(`convert.${key}: not a conversion (expected ${CONVERT_KEYS.slice(0, -1).join(', ')} or ${CONVERT_KEYS.at(-1)})`)
    }
  }
  const resolved = {} as Required<ConvertOptions>
  for (const key of CONVERT_KEYS) {
    resolved[key] = boolean({ value: convert?.[key] ?? true, source: `convert.${key}` })
  }
  return resolved
}

/** `key=value,key=value` with percent-encoded keys and values (OTEL_RESOURCE_ATTRIBUTES, *_HEADERS). */
function parseKeyValueList({ value, source }: Sourced<string>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const item of value.split(',')) {
    if (item.trim() === '') continue
    const eq = item.indexOf('=')
    const key = eq < 0 ? '' : decode(item.slice(0, eq).trim(), source)
    if (key === '') {
      throw new OpenTelemetryConfigError(`${source}: malformed key=value pair ${JSON.stringify(item.trim())}`)
    }
    setOwn(result, key, decode(item.slice(eq + 1).trim(), source))
  }
  return result
}

function decode(text: string, source: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new OpenTelemetryConfigError(`${source}: malformed percent-encoding in ${JSON.stringify(text)}`)
  }
}

function checkAttributes(
  attributes: OpenTelemetryPanelOptions['resourceAttributes'],
): Record<string, string | number | boolean> {
  if (attributes === undefined) return {}
  if (attributes === null || typeof attributes !== 'object') {
    throw new OpenTelemetryConfigError('resourceAttributes: expected an object of string, number or boolean values')
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new OpenTelemetryConfigError(`resourceAttributes: "${key}" must be a string, number or boolean`)
    }
  }
  return attributes
}

function checkHeaders(headers: Record<string, string>): Record<string, string> {
  if (headers === null || typeof headers !== 'object') {
    throw new OpenTelemetryConfigError('otlpHeaders: expected an object of string values')
  }
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new OpenTelemetryConfigError(`otlpHeaders: "${key}" must be a string`)
  }
  return { ...headers }
}

function oneOf<T extends string>({ value, source }: Sourced<unknown>, allowed: readonly T[], what: string): T {
  // The OpenTelemetry spec reads enum values in variables case-insensitively; options are typed.
  const candidate = typeof value === 'string' && source.startsWith('OTEL_') ? value.toLowerCase() : value
  if (typeof candidate === 'string' && (allowed as readonly string[]).includes(candidate)) return candidate as T
  const expected = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`
  throw new OpenTelemetryConfigError(`${source}: unknown ${what} ${JSON.stringify(value)} (expected ${expected})`)
}

function checkUrl({ value, source }: Sourced<unknown>): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OpenTelemetryConfigError(`${source}: malformed URL ${JSON.stringify(value)} (expected an http:// or https:// URL)`)
  }
  return value as string
}

function nonEmpty({ value, source }: Sourced<unknown>): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OpenTelemetryConfigError(`${source}: expected a non-empty string, got ${show(value)}`)
  }
  return value
}

function stringList({ value, source }: Sourced<unknown>): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new OpenTelemetryConfigError(`${source}: expected an array of non-empty strings, got ${show(value)}`)
  }
  return [...value]
}

function boolean({ value, source }: Sourced<unknown>): boolean {
  if (typeof value !== 'boolean') throw new OpenTelemetryConfigError(`${source}: expected true or false, got ${show(value)}`)
  return value
}

function number({ value, source }: Sourced<unknown>, kind: 'positive integer' | 'non-negative'): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (kind === 'positive integer' ? Number.isInteger(value) && value > 0 : value >= 0)
  if (!ok) {
    const expected = kind === 'positive integer' ? 'a positive integer' : 'a non-negative number'
    throw new OpenTelemetryConfigError(`${source}: expected ${expected}, got ${show(value)}`)
  }
  return value as number
}

/** Strings quoted, everything else as JavaScript prints it (NaN stays NaN, not null). */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
