/** Real protocol peers on loopback that tests export spans to. */
export { startOtlpGrpcPeer } from './otlp-grpc-peer.js'
export type { DecodedRequest, OtlpGrpcPeer, OtlpPeer } from './otlp-grpc-peer.js'
export { startOtlpHttpPeer } from './otlp-http-peer.js'
export { startZipkinPeer } from './zipkin-peer.js'
export type { ZipkinPeer } from './zipkin-peer.js'
export { startDeadEndpoint } from './dead-endpoint.js'
export type { DeadEndpoint } from './dead-endpoint.js'
