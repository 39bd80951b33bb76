/**
 * `google.rpc.Status`: what an OTLP/HTTP server answers a protobuf request it refuses (the
 * OTLP specification, "Failures"). Defined in code like the OTLP messages in otlp-proto.ts,
 * with the two fields the toolbar writes (`details` is left out: nothing to put there).
 */
import protobuf from 'protobufjs/light.js'

const StatusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'))
new protobuf.Root().define('google.rpc').add(StatusType)

/** gRPC status codes the receivers use (google.rpc.Code). */
export const RpcCode = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, UNAVAILABLE: 14 } as const

/**
 * Encodes a `google.rpc.Status` message.
 *
 * @example
 * ```ts
 * const body = encodeRpcStatus(RpcCode.INVALID_ARGUMENT, 'invalid OTLP protobuf')
 * return new Response(body, { status: 400, headers: { 'content-type': 'application/x-protobuf' } })
 * ```
 */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return StatusType.encode(StatusType.fromObject({ code, message })).finish()
}

/**
 * Decodes a `google.rpc.Status` message (tests and clients read the receiver's refusals).
 *
 * @example
 * ```ts
 * decodeRpcStatus(new Uint8Array(await res.arrayBuffer())).message
 * ```
 */
export function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string } {
  const decoded = StatusType.toObject(StatusType.decode(bytes), { defaults: true }) as { code: number; message: string }
  return { code: decoded.code, message: decoded.message }
}
