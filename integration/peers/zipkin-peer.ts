/**
 * A real Zipkin collector endpoint on loopback: node:http at POST /api/v2/spans storing
 * the raw v2 JSON spans as received, refusing what zipkin2-api.yaml refuses.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { closeServer } from './otlp-http-peer.js'
import { createWaiter } from './span-waiter.js'

/** A span in Zipkin's v2 JSON model (zipkin2-api.yaml), as received. */
export interface ZipkinSpan {
  traceId: string
  id: string
  parentId?: string
  name: string
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER'
  /** Epoch microseconds (int64). */
  timestamp: number
  /** Microseconds (int64, minimum 1). */
  duration: number
  localEndpoint: { serviceName: string }
  tags: Record<string, string>
  annotations?: Array<{ timestamp: number; value: string }>
}

export interface ZipkinPeer {
  /** The spans endpoint, `http://127.0.0.1:<port>/api/v2/spans`. */
  url: string
  /** Request headers of every POST, lowercased names. */
  requests: Array<Record<string, string>>
  spans(): ZipkinSpan[]
  waitForSpans(pred: (spans: ZipkinSpan[]) => boolean, timeoutMs: number): Promise<ZipkinSpan[]>
  close(): Promise<void>
}

/**
 * Starts a Zipkin v2 peer on 127.0.0.1. It answers 202 like Zipkin, and 400 to a body
 * that is not a JSON array, or to a span the v2 model refuses: `timestamp` / `duration`
 * not whole microseconds (int64), `duration` under 1, or the same annotation twice
 * (`annotations: uniqueItems: true`).
 *
 * @example
 * ```ts
 * const zipkin = await startZipkinPeer()
 * const [exporter] = createSpanExporters({ ...config, exporters: ['zipkin'], zipkinEndpoint: zipkin.url })
 * ```
 */
export async function startZipkinPeer(): Promise<ZipkinPeer> {
  const received: ZipkinSpan[] = []
  const requests: Array<Record<string, string>> = []
  const waiter = createWaiter(() => received, (s) => s.name)
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = []
    req.on('data', (chunk: Uint8Array) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v2/spans') {
        res.writeHead(404).end()
        return
      }
      let body: unknown
      try {
        const raw = new Uint8Array(Buffer.concat(chunks))
        const text = Buffer.from(req.headers['content-encoding'] === 'gzip' ? new Uint8Array(gunzipSync(raw)) : raw).toString('utf8')
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      if (!Array.isArray(body)) {
        res.writeHead(400).end('expected a JSON array of Zipkin v2 spans')
        return
      }
      const refused = (body as ZipkinSpan[]).map(modelError).find(Boolean)
      if (refused) {
        res.writeHead(400).end(refused)
        return
      }
      requests.push(Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])))
      received.push(...(body as ZipkinSpan[]))
      res.writeHead(202).end()
      waiter.notify()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/v2/spans`,
    requests,
    spans: () => [...received],
    waitForSpans: (pred, timeoutMs) => waiter.wait(pred, timeoutMs),
    close: () => closeServer(server),
  }
}

function modelError(span: ZipkinSpan): string | undefined {
  if (!Number.isInteger(span.timestamp)) return `span ${span.id}: timestamp ${span.timestamp} is not an int64`
  if (!Number.isInteger(span.duration) || span.duration < 1) return `span ${span.id}: duration ${span.duration} is not an int64 >= 1`
  const annotations = (span.annotations ?? []).map((a) => JSON.stringify([a.timestamp, a.value]))
  if (new Set(annotations).size !== annotations.length) return `span ${span.id}: annotations are not unique`
  return undefined
}
