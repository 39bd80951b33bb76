import { connect } from 'node:net'

/**
 * Sends `head` (a request line and headers, each ending in CRLF) on a socket of its own to
 * 127.0.0.1:`port`, a string as UTF-8 bytes (as curl does with `-H 'X-User: José'`) or
 * bytes as they are, and answers what came back, read as Latin-1 (one character a byte,
 * which leaves the ASCII of a status line and headers as it is).
 */
export function rawRequest(port: number, head: string | Buffer): Promise<string> {
  const bytes = Buffer.concat([typeof head === 'string' ? Buffer.from(head, 'utf8') : head, Buffer.from('Connection: close\r\n\r\n')])
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}
