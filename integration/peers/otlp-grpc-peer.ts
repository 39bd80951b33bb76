/**
 * A real OTLP/gRPC collector on loopback: a @grpc/grpc-js server implementing
 * TraceService/Export with the toolbar's own message definitions.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { traceServiceDefinition } from '../../src/opentelemetry/otlp-proto.js'
import type { OtlpTraceRequest } from '../../src/opentelemetry/otlp-proto.js'
import { toolbarSpansFromOtlp } from '../../src/opentelemetry/otlp-json.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { createWaiter } from './span-waiter.js'
import { tapGrpcMessages } from './grpc-wire-tap.js'

/** One export as the peer received it. */
export interface DecodedRequest {
  request: OtlpTraceRequest
  /** How the body was encoded on the wire. */
  format: 'protobuf' | 'json'
  /**
   * 'gzip' when the body arrived compressed, else 'identity'. For gRPC this is read off the
   * wire (the message's compressed flag); requests are matched to messages in arrival order.
   */
  encoding: string
  /** Request headers (HTTP) or metadata (gRPC), lowercased names. */
  headers: Record<string, string>
}

export interface OtlpPeer {
  url: string
  requests: DecodedRequest[]
  spans(): ToolbarSpan[]
  waitForSpans(pred: (spans: ToolbarSpan[]) => boolean, timeoutMs: number): Promise<ToolbarSpan[]>
  close(): Promise<void>
}

export interface OtlpGrpcPeer extends OtlpPeer {
  metadata: grpc.Metadata[]
}

/**
 * Starts an OTLP/gRPC peer on 127.0.0.1 (ephemeral port, insecure); its `url` is
 * `http://127.0.0.1:<port>`. grpc-js decompresses gzip messages; the peer reads each
 * message's compressed flag off the HTTP/2 connection to report how it really arrived.
 *
 * @example
 * ```ts
 * const peer = await startOtlpGrpcPeer()
 * const [exporter] = createSpanExporters({ ...config, otlpEndpoint: peer.url, otlpProtocol: 'grpc' })
 * await peer.waitForSpans((spans) => spans.length > 0, 5000)
 * await peer.close()
 * ```
 */
export async function startOtlpGrpcPeer(): Promise<OtlpGrpcPeer> {
  const requests: DecodedRequest[] = []
  const metadata: grpc.Metadata[] = []
  const spans = () => requests.flatMap((r) => toolbarSpansFromOtlp(r.request, 'otlp_grpc'))
  const waiter = createWaiter(spans, (s) => s.name)
  const wireCompressed: boolean[] = []
  const server = new grpc.Server()
  server.addService(traceServiceDefinition, {
    Export(call: grpc.ServerUnaryCall<OtlpTraceRequest, object>, callback: grpc.sendUnaryData<object>) {
      const headers = Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)]))
      metadata.push(call.metadata)
      const compressed = wireCompressed[requests.length]
      requests.push({ request: call.request, format: 'protobuf', encoding: compressed ? 'gzip' : 'identity', headers })
      callback(null, {})
      waiter.notify()
    },
  })
  // We own the TCP listener and hand each connection to grpc-js through a tap.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure())
  const sockets = new Set<net.Socket>()
  const tcp = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    injector.injectConnection(tapGrpcMessages(socket, (compressed) => wireCompressed.push(compressed)))
  })
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  const { port } = tcp.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    metadata,
    spans,
    waitForSpans: (pred, timeoutMs) => waiter.wait(pred, timeoutMs),
    // Exporters keep their channel open, so a graceful shutdown could wait for them.
    close: () => new Promise<void>((resolve) => {
      server.forceShutdown()
      for (const socket of sockets) socket.destroy()
      tcp.close(() => resolve())
    }),
  }
}
