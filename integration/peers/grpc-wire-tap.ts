/**
 * Reads the gRPC message prefix of each request straight off the HTTP/2 connection.
 * grpc-js strips `grpc-encoding` from the metadata a handler sees and decompresses
 * before deserializing, so a handler alone cannot tell whether a request was really sent
 * compressed; the wire can: every gRPC message starts with a compressed-flag byte.
 */
import type net from 'node:net'
import { Duplex } from 'node:stream'

const PREFACE_LENGTH = 24 // 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
const DATA_FRAME = 0x0
const PADDED = 0x8

/**
 * Wraps a client socket in a Duplex that passes every byte through unchanged and calls
 * `onMessage(compressed)` for the first gRPC message of each HTTP/2 stream.
 *
 * @example
 * ```ts
 * const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure())
 * net.createServer((socket) => injector.injectConnection(tapGrpcMessages(socket, (gz) => flags.push(gz))))
 * ```
 */
export function tapGrpcMessages(socket: net.Socket, onMessage: (compressed: boolean) => void): Duplex {
  let buffered = Buffer.alloc(0)
  let prefaceSeen = false
  const seenStreams = new Set<number>()

  const inspect = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk] as Uint8Array[])
    if (!prefaceSeen) {
      if (buffered.length < PREFACE_LENGTH) return
      buffered = buffered.subarray(PREFACE_LENGTH)
      prefaceSeen = true
    }
    while (buffered.length >= 9) {
      const length = buffered.readUIntBE(0, 3)
      if (buffered.length < 9 + length) return
      const type = buffered[3]
      const flags = buffered[4]
      const streamId = buffered.readUInt32BE(5) & 0x7fffffff
      let payload = buffered.subarray(9, 9 + length)
      buffered = buffered.subarray(9 + length)
      if (type !== DATA_FRAME) continue
      if (flags & PADDED) payload = payload.subarray(1, payload.length - payload[0])
      if (payload.length === 0 || seenStreams.has(streamId)) continue
      seenStreams.add(streamId)
      onMessage(payload[0] === 1)
    }
  }

  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk as Uint8Array, callback)
    },
    final(callback) {
      socket.end(callback)
    },
    destroy(error, callback) {
      socket.destroy()
      callback(error)
    },
  })
  socket.on('data', (chunk: Buffer) => {
    inspect(chunk)
    duplex.push(chunk)
  })
  socket.on('end', () => duplex.push(null))
  socket.on('error', (error) => duplex.destroy(error))
  socket.on('close', () => duplex.destroy())
  return duplex
}
