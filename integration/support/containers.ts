/**
 * Real Jaeger and Zipkin for the integration tests, in containers started by testcontainers,
 * and the calls that read a trace back from their query APIs.
 *
 * Without a container runtime (no Docker or Podman socket), `detectContainerRuntime()` says
 * why within milliseconds and the suites that need one are skipped.
 */
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers'

/** Pinned: the v2 line (built on the OpenTelemetry Collector), OTLP gRPC on 4317, query and UI on 16686. */
export const JAEGER_IMAGE = 'cr.jaegertracing.io/jaegertracing/jaeger:2.11.0'
/** Pinned: Zipkin's collector, query API and UI, all on 9411. */
export const ZIPKIN_IMAGE = 'openzipkin/zipkin:3.5.1'

/** A docker or podman socket that answers within this is usable; one that hangs is not. */
const RUNTIME_PROBE_MS = 20_000

export type ContainerRuntime = { available: true; description: string } | { available: false; reason: string }

/**
 * Whether containers can be started here, and if not, why.
 *
 * @example
 * ```ts
 * const runtime = await detectContainerRuntime()
 * if (!runtime.available) console.log(`containers: skipped: ${runtime.reason}`)
 * describe.skipIf(!runtime.available)('Jaeger', () => { ... })
 * ```
 */
export async function detectContainerRuntime(): Promise<ContainerRuntime> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the container runtime did not answer within ${RUNTIME_PROBE_MS / 1000} s`)), RUNTIME_PROBE_MS)
  })
  try {
    const client = await Promise.race([getContainerRuntimeClient(), timeout])
    const { containerRuntime } = client.info
    return { available: true, description: `${containerRuntime.operatingSystem} at ${containerRuntime.host}` }
  } catch (error) {
    return { available: false, reason: `no container runtime (${error instanceof Error ? error.message : String(error)})` }
  } finally {
    clearTimeout(timer)
  }
}

export interface StartedJaeger {
  /** The OTLP gRPC endpoint as the exporter takes it: `http://<host>:<port>` (plain text). */
  otlpGrpcUrl: string
  /** The UI and its query API: `http://<host>:<port>`. */
  uiUrl: string
  stop(): Promise<void>
}

/**
 * Starts Jaeger v2 (in-memory storage) and waits until its collector pipeline and its UI are up.
 *
 * @example
 * ```ts
 * const jaeger = await startJaeger()
 * new OpenTelemetryPanel({ exporter: 'otlp', otlpEndpoint: jaeger.otlpGrpcUrl, jaegerUiUrl: jaeger.uiUrl })
 * await jaeger.stop()
 * ```
 */
export async function startJaeger(): Promise<StartedJaeger> {
  const container = await new GenericContainer(JAEGER_IMAGE)
    .withExposedPorts(4317, 16686)
    .withWaitStrategy(
      Wait.forAll([
        // The collector logs this once every receiver, the OTLP gRPC one included, is listening.
        Wait.forLogMessage(/Everything is ready/),
        Wait.forHttp('/', 16686).forStatusCode(200),
      ]),
    )
    .withStartupTimeout(120_000)
    .start()
  const host = container.getHost()
  return {
    otlpGrpcUrl: `http://${host}:${container.getMappedPort(4317)}`,
    uiUrl: `http://${host}:${container.getMappedPort(16686)}`,
    stop: () => stopContainer(container),
  }
}

export interface StartedZipkin {
  /** Where the Zipkin exporter posts: `http://<host>:<port>/api/v2/spans`. */
  spansUrl: string
  /** The server root, as the panel's `zipkinUiUrl` takes it (the UI is under `/zipkin/`). */
  uiUrl: string
  stop(): Promise<void>
}

/**
 * Starts Zipkin (in-memory storage) and waits until it reports itself healthy.
 *
 * @example
 * ```ts
 * const zipkin = await startZipkin()
 * new OpenTelemetryPanel({ exporter: 'zipkin', zipkinEndpoint: zipkin.spansUrl, zipkinUiUrl: zipkin.uiUrl })
 * await zipkin.stop()
 * ```
 */
export async function startZipkin(): Promise<StartedZipkin> {
  const container = await new GenericContainer(ZIPKIN_IMAGE)
    .withExposedPorts(9411)
    .withWaitStrategy(Wait.forHttp('/health', 9411).forStatusCode(200))
    .withStartupTimeout(120_000)
    .start()
  const uiUrl = `http://${container.getHost()}:${container.getMappedPort(9411)}`
  return { spansUrl: `${uiUrl}/api/v2/spans`, uiUrl, stop: () => stopContainer(container) }
}

async function stopContainer(container: StartedTestContainer): Promise<void> {
  await container.stop({ timeout: 5_000 })
}

/** One span as Jaeger's API v3 answers it (OTLP JSON: hex ids, enum kinds, typed attribute values). */
export interface JaegerSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind?: number
  attributes?: Array<{ key: string; value: Record<string, unknown> }>
  /** `service.name` of the span's resource. */
  serviceName: string | undefined
}

/**
 * The spans of a trace from Jaeger's `GET /api/v3/traces/{traceId}`, or `undefined` while
 * Jaeger does not know the trace (404).
 *
 * @example
 * ```ts
 * const spans = await jaegerTrace(jaeger.uiUrl, traceId)
 * ```
 */
export async function jaegerTrace(uiUrl: string, traceId: string): Promise<JaegerSpan[] | undefined> {
  const res = await fetch(`${uiUrl}/api/v3/traces/${traceId}`)
  if (res.status === 404) return undefined
  if (!res.ok) throw new Error(`Jaeger answered ${res.status}: ${await res.text()}`)
  // Newer releases wrap the traces in `result` (the gRPC gateway's stream framing).
  const body = (await res.json()) as { result?: OtlpTraces } & OtlpTraces
  const traces = body.result ?? body
  return (traces.resourceSpans ?? []).flatMap((rs) => {
    const serviceName = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue as string | undefined
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({ ...span, traceId: hexId(span.traceId), spanId: hexId(span.spanId), serviceName })),
    )
  })
}

interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: Record<string, unknown> }> }
    scopeSpans?: Array<{ spans?: Array<Omit<JaegerSpan, 'serviceName'>> }>
  }>
}

/** Span ids are hex in OTLP JSON; protobuf's own JSON mapping would give base64. */
function hexId(id: string): string {
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex')
}

/** One span as Zipkin's API v2 answers it (names lowercased by Zipkin, tags as strings). */
export interface ZipkinSpan {
  traceId: string
  id: string
  parentId?: string
  name?: string
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER'
  localEndpoint?: { serviceName?: string }
  tags?: Record<string, string>
}

/**
 * The spans of a trace from Zipkin's `GET /api/v2/trace/{traceId}`, or `undefined` while
 * Zipkin does not know the trace (404).
 *
 * @example
 * ```ts
 * const spans = await zipkinTrace(zipkin.uiUrl, traceId)
 * ```
 */
export async function zipkinTrace(baseUrl: string, traceId: string): Promise<ZipkinSpan[] | undefined> {
  const res = await fetch(`${baseUrl}/api/v2/trace/${traceId}`)
  if (res.status === 404) return undefined
  if (!res.ok) throw new Error(`Zipkin answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as ZipkinSpan[]
}

/**
 * Asks `probe` again until it returns something (not `undefined`) that `done` accepts, at most
 * for `timeoutMs`: collectors store spans a moment after they accepted them.
 *
 * @example
 * ```ts
 * const spans = await pollUntil(() => jaegerTrace(url, traceId), (s) => s.length >= 3, 30_000)
 * ```
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await probe()
    if (last !== undefined && done(last)) return last
    if (Date.now() > deadline) throw new Error(`not found within ${timeoutMs / 1000} s; last answer: ${JSON.stringify(last)?.slice(0, 500)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
