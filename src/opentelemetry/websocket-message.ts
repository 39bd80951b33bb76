/**
 * What the WebSocket spans say about one message: its name (for `WS receive <name>`), its
 * size in bytes and whether it is text or binary. See specs/websocket.md.
 */
import { headOf } from '../core/cut-text.js'

/** Text messages longer than this are not parsed for a name (bytes of UTF-16, roughly). */
const MAX_PARSED_LENGTH = 64 * 1024
const MAX_NAME_LENGTH = 64
/** The JSON fields a name is read from, first match wins. */
const NAME_FIELDS = ['type', 'event'] as const

/**
 * The name of a received message: the `type` (else `event`) string field of a JSON object
 * message, cut to 64 characters; `message` for anything else (binary data, plain text, JSON
 * without such a field). Span names should have a low cardinality, and these fields name
 * the kind of a message in most WebSocket protocols (`{"type":"chat","text":"hi"}`).
 *
 * @example
 * ```ts
 * messageName('{"type":"chat","text":"hi"}') // 'chat'
 * messageName('hello') // 'message'
 * ```
 */
export function messageName(data: unknown): string {
  if (typeof data !== 'string' || data.length > MAX_PARSED_LENGTH || !data.trimStart().startsWith('{')) return 'message'
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return 'message'
  }
  if (typeof parsed !== 'object' || parsed === null) return 'message'
  for (const field of NAME_FIELDS) {
    const value = (parsed as Record<string, unknown>)[field]
    // Cut whole characters: half an emoji at the cut is written as U+FFFD by the exporters.
    if (typeof value === 'string' && value.trim() !== '') return headOf(value.trim(), MAX_NAME_LENGTH)
  }
  return 'message'
}

/**
 * The size in bytes of a message as it travels (UTF-8 for text), and its frame type.
 *
 * @example
 * ```ts
 * messageSize('héllo') // { bytes: 6, type: 'text' }
 * ```
 */
export function messageSize(data: unknown): { bytes: number; type: 'text' | 'binary' } {
  if (typeof data === 'string') return { bytes: Buffer.byteLength(data, 'utf8'), type: 'text' }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return { bytes: data.byteLength, type: 'binary' }
  if (typeof Blob !== 'undefined' && data instanceof Blob) return { bytes: data.size, type: 'binary' }
  if (Array.isArray(data)) {
    return { bytes: data.reduce((sum: number, part) => sum + messageSize(part).bytes, 0), type: 'binary' }
  }
  return { bytes: 0, type: 'binary' }
}
