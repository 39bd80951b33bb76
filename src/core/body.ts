/**
 * Response bodies pass through the toolbar as streams: nothing is buffered, so a large
 * download is never held in memory twice and streamed HTML keeps streaming. The toolbar
 * needs to know how many bytes the app wrote and when the last one went out, and in HTML
 * it adds its tag before the last `</body>`. Both happen in one pull-based stream: web
 * streams are costly in Node, and chaining a TransformStream halved throughput.
 */

export interface BodyObserver {
  onChunk(byteLength: number): void
  /** Called once: the body was read to the end, the client cancelled it, or it failed (with `error`). */
  onEnd(outcome: 'done' | 'cancelled' | 'error', error?: unknown): void
}

/**
 * Wraps `source` so that `observer` sees every chunk and the end, pulling one chunk at a
 * time (backpressure is kept: nothing is read ahead of what the server writes). With
 * `snippet`, it is inserted before the last `</body>` as the bytes pass.
 */
export function observeBody(source: ReadableStream<Uint8Array>, observer: BodyObserver, snippet?: string): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  const injector = snippet === undefined ? undefined : new BodyCloseInjector(snippet)
  let ended = false
  const end = (outcome: 'done' | 'cancelled' | 'error', error?: unknown) => {
    if (ended) return
    ended = true
    observer.onEnd(outcome, error)
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Loop until something can be handed on: the injector may hold a whole chunk back.
        for (;;) {
          const { done, value } = await reader.read()
          if (done) {
            end('done')
            const rest = injector?.end()
            if (rest?.byteLength) controller.enqueue(rest)
            controller.close()
            return
          }
          observer.onChunk(value.byteLength)
          const out = injector ? injector.push(value) : value
          if (out.byteLength) {
            controller.enqueue(out)
            return
          }
        }
      } catch (error) {
        controller.error(error)
        end('error', error)
      }
    },
    async cancel(reason) {
      end('cancelled')
      await reader.cancel(reason)
    },
  })
}

/**
 * Inserts `snippet` before the last `</body>` (any case) of an HTML stream, or, when the
 * page goes on streaming after its `</body></html>` (Hono's `Suspense` sends each resolved
 * part after it), before that one, so that nothing the page streams is held back.
 *
 * @example
 * ```ts
 * const body = injectBeforeBodyClose(res.body!, '<script src="/toolbar.js"></script>')
 * ```
 */
export function injectBeforeBodyClose(source: ReadableStream<Uint8Array>, snippet: string): ReadableStream<Uint8Array> {
  return observeBody(source, { onChunk() {}, onEnd() {} }, snippet)
}

const CLOSE_TAG = [...'</body>'].map((ch) => ch.charCodeAt(0))
const encoder = new TextEncoder()

/**
 * Finds `</body>` in the raw bytes. That is safe in UTF-8 without decoding: every byte of
 * a multi-byte character is >= 0x80, so none can be mistaken for the tag's ASCII bytes.
 * Bytes from the latest `</body>` seen are held back until a newer one replaces it, more of
 * the page arrives after a `</body></html>` (the snippet then goes in before it and
 * everything passes on), or the stream ends; so is a chunk's tail that could be a tag split
 * across chunks.
 * Everything else is passed on at once. Without `</body>` nothing is added.
 */
class BodyCloseInjector {
  private held: Uint8Array = new Uint8Array(0)
  private readonly snippet: Uint8Array
  private injected = false

  constructor(snippet: string) {
    this.snippet = encoder.encode(snippet)
  }

  push(chunk: Uint8Array): Uint8Array {
    if (this.injected || chunk.byteLength === 0) return chunk
    const bytes = this.held.byteLength ? concat(this.held, chunk) : chunk
    const last = lastTagIndex(bytes)
    if (last === 0 && startsWithTag(this.held) && closesDocument(bytes) && bytes.byteLength > this.held.byteLength) {
      // The page goes on after its `</body></html>`, with no newer </body>: in before it.
      this.injected = true
      this.held = new Uint8Array(0)
      return concat(this.snippet, bytes)
    }
    if (last !== -1) {
      this.held = bytes.slice(last)
      return bytes.subarray(0, last)
    }
    const keep = partialTagLength(bytes)
    this.held = bytes.slice(bytes.byteLength - keep)
    return bytes.subarray(0, bytes.byteLength - keep)
  }

  end(): Uint8Array {
    return !this.injected && startsWithTag(this.held) ? concat(this.snippet, this.held) : this.held
  }
}

/** Whether `tag` (`</body>` or `</html>`: four letters between `</` and `>`) is at `at`, in any case. */
function matchesAt(bytes: Uint8Array, at: number, length = CLOSE_TAG.length, tag = CLOSE_TAG): boolean {
  for (let i = 0; i < length; i++) {
    // `| 0x20` lowercases ASCII letters and leaves '<', '/' and '>' as they are.
    const byte = i >= 2 && i <= 5 ? bytes[at + i] | 0x20 : bytes[at + i]
    if (byte !== tag[i]) return false
  }
  return true
}

function lastTagIndex(bytes: Uint8Array): number {
  for (let at = bytes.byteLength - CLOSE_TAG.length; at >= 0; at--) {
    if (bytes[at] === 0x3c && matchesAt(bytes, at)) return at
  }
  return -1
}

/**
 * True when `bytes` (which start with `</body>`) go on with `</html>`, whitespace
 * between: the end of the document, after which a streamed page may still send more
 * (Hono's `Suspense` parts). A `</body>` followed by anything else (say, inside a
 * script's string) keeps being held, in case a later one is the page's own.
 */
function closesDocument(bytes: Uint8Array): boolean {
  let at = CLOSE_TAG.length
  while (at < bytes.byteLength && isSpace(bytes[at])) at++
  return at + HTML_CLOSE.length <= bytes.byteLength && matchesAt(bytes, at, HTML_CLOSE.length, HTML_CLOSE)
}

const HTML_CLOSE = [...'</html>'].map((ch) => ch.charCodeAt(0))

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c
}

function startsWithTag(bytes: Uint8Array): boolean {
  return bytes.byteLength >= CLOSE_TAG.length && matchesAt(bytes, 0)
}

/** Length of the longest tail of `bytes` that is a proper prefix of `</body>`. */
function partialTagLength(bytes: Uint8Array): number {
  for (let n = Math.min(CLOSE_TAG.length - 1, bytes.byteLength); n > 0; n--) {
    if (matchesAt(bytes, bytes.byteLength - n, n)) return n
  }
  return 0
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
}

/**
 * `html` with `snippet` inserted before its last `</body>` (any case), or undefined when it
 * has none. The string counterpart of the stream injection, for bodies the app made in one
 * piece (`c.html('<html>...')`): the response then stays a plain in-memory body.
 *
 * @example
 * ```ts
 * injectIntoHtml('<body><h1>Hi</h1></body>', '<script></script>') // '<body><h1>Hi</h1><script></script></body>'
 * ```
 */
export function injectIntoHtml(html: string, snippet: string): string | undefined {
  for (let at = html.lastIndexOf('</'); at !== -1; at = at === 0 ? -1 : html.lastIndexOf('</', at - 1)) {
    if (html.length - at >= 7 && html.slice(at + 2, at + 7).toLowerCase() === 'body>') {
      return html.slice(0, at) + snippet + html.slice(at)
    }
  }
  return undefined
}
