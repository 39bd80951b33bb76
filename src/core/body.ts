/**
 * Response bodies pass through the toolbar as streams: nothing is buffered, so a large
 * download is never held in memory twice and streamed HTML keeps streaming. The toolbar
 * only needs to know how many bytes went out and when the last one did.
 */

export interface BodyObserver {
  onChunk(byteLength: number): void
  /** Called once: the body was read to the end, the client cancelled it, or it failed. */
  onEnd(outcome: 'done' | 'cancelled' | 'error'): void
}

/**
 * Wraps `source` so that `observer` sees every chunk and the end, pulling one chunk at a
 * time (backpressure is kept: nothing is read ahead of what the server writes).
 */
export function observeBody(source: ReadableStream<Uint8Array>, observer: BodyObserver): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  let ended = false
  const end = (outcome: 'done' | 'cancelled' | 'error') => {
    if (ended) return
    ended = true
    observer.onEnd(outcome)
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) {
          controller.close()
          end('done')
          return
        }
        observer.onChunk(value.byteLength)
        controller.enqueue(value)
      } catch (error) {
        controller.error(error)
        end('error')
      }
    },
    async cancel(reason) {
      end('cancelled')
      await reader.cancel(reason)
    },
  })
}

const CLOSE_TAG = '</body>'

/**
 * Inserts `snippet` before the last `</body>` (any case) of an HTML stream, chunk by chunk.
 * Text from the latest `</body>` seen is held back until another one replaces it or the
 * stream ends, and a chunk's tail that could be the start of a tag split across chunks is
 * held back too; everything else is passed on at once. Without `</body>` nothing is added.
 */
export function injectBeforeBodyClose(source: ReadableStream<Uint8Array>, snippet: string): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  // `held` starts at the last `</body>` seen (or is a possible partial tag at the end).
  let held = ''
  const emit = (controller: TransformStreamDefaultController<Uint8Array>, text: string) => {
    if (text) controller.enqueue(encoder.encode(text))
  }
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const text = held + decoder.decode(chunk, { stream: true })
        const lower = text.toLowerCase()
        const last = lower.lastIndexOf(CLOSE_TAG)
        if (last !== -1) {
          emit(controller, text.slice(0, last))
          held = text.slice(last)
          return
        }
        if (held.toLowerCase().startsWith(CLOSE_TAG)) {
          // Still after the last </body>: keep holding until the stream ends or a newer one appears.
          held = text
          return
        }
        const keep = partialTagLength(lower)
        emit(controller, text.slice(0, text.length - keep))
        held = text.slice(text.length - keep)
      },
      flush(controller) {
        const rest = held + decoder.decode()
        if (rest.toLowerCase().startsWith(CLOSE_TAG)) emit(controller, snippet + rest)
        else emit(controller, rest)
      },
    }),
  )
}

/** Length of the longest suffix of `text` that is a proper prefix of `</body>`. */
function partialTagLength(text: string): number {
  for (let n = Math.min(CLOSE_TAG.length - 1, text.length); n > 0; n--) {
    if (CLOSE_TAG.startsWith(text.slice(text.length - n))) return n
  }
  return 0
}
