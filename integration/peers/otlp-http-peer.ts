/**
 * A real OTLP/HTTP collector on loopback: node:http at POST /v1/traces, protobuf or JSON
 * bodies, gzip content-encoding allowed.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse } from '../../src/opentelemetry/otlp-proto.js'
import { toolbarSpansFromOtlp } from '../../src/opentelemetry/otlp-json.js'
import type { DecodedRequest, OtlpPeer } from './otlp-grpc-peer.js'
import { createWaiter } from './span-waiter.js'

/**
 * Starts an OTLP/HTTP peer on 127.0.0.1; its `url` is the full traces endpoint
 * `http://127.0.0.1:<port>/v1/traces`. Bad bodies get a 400 and are not recorded.
 * `port` (default 0, a free one) brings a collector back on the port it had before.
 *
 * @example
 * ```ts
 * const peer = await startOtlpHttpPeer()
 * const [exporter] = createSpanExporters({ ...config, otlpEndpoint: peer.url, otlpProtocol: 'http/json' })
 * ```
 */
export async function startOtlpHttpPeer(options: { port?: number } = {}): Promise<OtlpPeer> {
  const requests: DecodedRequest[] = []
  const spans = () => requests.flatMap((r) => toolbarSpansFromOtlp(r.request, 'otlp_http'))
  const waiter = createWaiter(spans, (s) => s.name)
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = []
    req.on('data', (chunk: Uint8Array) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      const encoding = req.headers['content-encoding'] ?? 'identity'
      const json = (req.headers['content-type'] ?? '').startsWith('application/json')
      try {
        const raw = new Uint8Array(Buffer.concat(chunks))
        const body = encoding === 'gzip' ? new Uint8Array(gunzipSync(raw)) : raw
        const request = json ? JSON.parse(Buffer.from(body).toString('utf8')) : decodeExportTraceServiceRequest(body)
        toolbarSpansFromOtlp(request, 'otlp_http') // reject what the toolbar could not read
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))
        requests.push({ request, format: json ? 'json' : 'protobuf', encoding, headers })
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }))
        return
      }
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(encodeExportTraceServiceResponse())
      waiter.notify()
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    requests,
    spans,
    waitForSpans: (pred, timeoutMs) => waiter.wait(pred, timeoutMs),
    close: () => closeServer(server),
  }
}

/**
 * Closes a node:http server including its idle keep-alive connections (exporters keep them).
 *
 * @example
 * ```ts
 * await closeServer(server)
 * ```
 */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
