import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { debugToolbar } from '../../src/index.js'
import { injectBeforeBodyClose, injectIntoHtml, observeBody } from '../../src/core/body.js'

/** Feeds `chunks` through the injector and returns what comes out, chunk by chunk. */
async function inject(chunks: string[], snippet = '<X>') {
  const encoder = new TextEncoder()
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
  const out: string[] = []
  const decoder = new TextDecoder()
  for await (const chunk of injectBeforeBodyClose(source, snippet) as unknown as AsyncIterable<Uint8Array>) out.push(decoder.decode(chunk))
  return out
}

describe('injectBeforeBodyClose', () => {
  it('finds </body> split across chunks, in any case', async () => {
    expect((await inject(['<p>a</p></bo', 'DY></html>'])).join('')).toBe('<p>a</p><X></boDY></html>')
    expect((await inject(['<p>a</p><', '/', 'b', 'o', 'd', 'y', '>'])).join('')).toBe('<p>a</p><X></body>')
  })

  it('injects before the last </body> only', async () => {
    expect((await inject(['a</body>b', '</body>c', 'd'])).join('')).toBe('a</body>b<X></body>cd')
  })

  it('holds back nothing a page streams after its </body>, as Hono\'s Suspense does', async () => {
    const out = await inject(['<body>a</body></html>', '<template>b</template>', '<script>c</script>'])
    expect(out).toEqual(['<body>a', '<X></body></html><template>b</template>', '<script>c</script>'])
    expect(await inject(['<body>a</body>', '</html><template>b</template>', '<script>c</script>'])).toEqual(['<body>a', '<X></body></html><template>b</template>', '<script>c</script>'])
    // A </body> with anything but the document's end after it keeps waiting for a later one.
    expect((await inject(['<script>s = "</body>', '";</script>', '</body></html>'])).join('')).toBe('<script>s = "</body>";</script><X></body></html>')
  })

  it('adds nothing when there is no </body>', async () => {
    expect((await inject(['<p>fragment</p>', '</bod'])).join('')).toBe('<p>fragment</p></bod')
  })

  it('passes text before a possible tag on at once', async () => {
    const out = await inject(['<html><body>first', ' second</b', 'r></body>'])
    expect(out[0]).toBe('<html><body>first')
    expect(out.join('')).toBe('<html><body>first second</br><X></body>')
  })

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = new TextEncoder().encode('<p>żółw 🐢</p></body>')
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3))
        controller.close()
      },
    })
    const text = await new Response(injectBeforeBodyClose(source, '<X>')).text()
    expect(text).toBe('<p>żółw 🐢</p><X></body>')
  })
})

describe('injectBeforeBodyClose, however the page is cut into chunks', () => {
  // Pages made of pieces that matter to the injector: the tags in any case, their halves,
  // near misses, and characters of two and four bytes, which a cut may split.
  const piece = fc.constantFrom('a', ' ', '\n', 'ż', '🐢', '<p>', '</p>', '<', '/', '>', '</body>', '</BODY>', '</Body>', '</bo', 'dy>', '</html>', '</HTML>', 'ml>', '</bady>', '</htm>')
  const page = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''))
  /** The page's bytes cut at the given offsets (duplicates and ends make empty chunks). */
  function cut(text: string, offsets: number[]): Uint8Array[] {
    const bytes = new TextEncoder().encode(text)
    const at = [...new Set(offsets.map((o) => o % (bytes.byteLength + 1)))].sort((x, y) => x - y)
    const chunks: Uint8Array[] = []
    let from = 0
    for (const to of [...at, bytes.byteLength]) {
      chunks.push(bytes.slice(from, to))
      from = to
    }
    return chunks
  }
  async function streamed(chunks: Uint8Array[]): Promise<string> {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk)
        controller.close()
      },
    })
    return new Response(injectBeforeBodyClose(source, '<X>')).text()
  }
  const hasBodyClose = (text: string) => text.toLowerCase().includes('</body>')

  it('adds the tag once, right before a </body>, and loses or changes nothing of the page', async () => {
    await fc.assert(
      fc.asyncProperty(page, fc.array(fc.nat(), { maxLength: 12 }), async (text, offsets) => {
        const out = await streamed(cut(text, offsets))
        if (!hasBodyClose(text)) {
          expect(out).toBe(text)
          return
        }
        const at = out.indexOf('<X>')
        expect(at).not.toBe(-1)
        expect(out.indexOf('<X>', at + 1)).toBe(-1)
        expect(out.slice(at + 3, at + 10).toLowerCase()).toBe('</body>')
        expect(out.slice(0, at) + out.slice(at + 3)).toBe(text)
      }),
      { numRuns: 500 },
    )
  })

  it('puts the tag where the string path puts it when the page does not go on after </body></html>', async () => {
    // Without a </html> the injector has no reason to go early: the last </body> takes it, as with c.html().
    await fc.assert(
      fc.asyncProperty(page.filter((text) => !text.toLowerCase().includes('</html>')), fc.array(fc.nat(), { maxLength: 12 }), async (text, offsets) => {
        expect(await streamed(cut(text, offsets))).toBe(injectIntoHtml(text, '<X>') ?? text)
      }),
      { numRuns: 500 },
    )
  })

  it('puts the tag before the page\'s one </body> wherever the cuts fall', async () => {
    const onlyOne = page.filter((text) => text.toLowerCase().split('</body>').length === 2)
    await fc.assert(
      fc.asyncProperty(onlyOne, fc.array(fc.nat(), { maxLength: 12 }), async (text, offsets) => {
        expect(await streamed(cut(text, offsets))).toBe(injectIntoHtml(text, '<X>'))
      }),
      { numRuns: 500 },
    )
  })
})

describe('observeBody', () => {
  it('reads no further ahead of the consumer than one chunk', async () => {
    let pulls = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        controller.enqueue(new Uint8Array(1024))
      },
    }, { highWaterMark: 0 })
    const ends: string[] = []
    let bytes = 0
    const reader = observeBody(source, { onChunk: (n) => (bytes += n), onEnd: (o) => ends.push(o) }).getReader()
    for (let i = 0; i < 5; i++) await reader.read()
    expect(pulls).toBeLessThanOrEqual(6)
    expect(bytes).toBeLessThanOrEqual(6 * 1024)
    await reader.cancel()
    expect(ends).toEqual(['cancelled'])
  })

  it('reports a failing body once', async () => {
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('disk gone'))
      },
    })
    const ends: string[] = []
    const reader = observeBody(source, { onChunk: () => {}, onEnd: (o) => ends.push(o) }).getReader()
    await expect(reader.read()).rejects.toThrow('disk gone')
    expect(ends).toEqual(['error'])
  })
})

describe('streamed and large responses through a real server', () => {
  let server: ServerType
  let base: string
  let release: () => void = () => {}
  const finished: string[] = []

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar({ app }))
    app.get('/stream', (c) => {
      c.header('content-type', 'text/html; charset=utf-8')
      return stream(c, async (s) => {
        await s.write('<html><body><h1>first chunk</h1>')
        await new Promise<void>((resolve) => (release = resolve))
        await s.write('<p>second chunk</p></bo')
        await s.write('dy></html>')
        finished.push('stream')
      })
    })
    app.get('/big', () => {
      // 64 MiB generated on the fly: never held in memory as a whole.
      let sent = 0
      const chunk = new Uint8Array(1 << 20).fill(97)
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 64) return controller.close()
          sent++
          controller.enqueue(chunk)
        },
      })
      return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(64 << 20) } })
    })
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve())
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('delivers the first chunk before the handler finishes, and the loader once before </body>', async () => {
    const res = await fetch(`${base}/stream`)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('first chunk')) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    expect(text).toContain('<h1>first chunk</h1>')
    expect(finished).not.toContain('stream')
    release()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    expect(finished).toContain('stream')
    expect(text.match(/<script /g)).toHaveLength(1)
    expect(text).toMatch(/<p>second chunk<\/p><script [^>]+><\/script><\/body><\/html>$/)

    const id = res.headers.get('x-debug-toolbar-request-id')
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
    expect(detail.panels.timer.streamed).toBe(true)
    expect(detail.panels.timer.totalMs).toBeGreaterThan(detail.panels.timer.headersMs)
    // The app's own bytes: the toolbar's tag is not counted.
    expect(detail.panels.timer.responseBytes).toBe(new TextEncoder().encode(text.replace(/<script [^>]+><\/script>/, '')).length)
  })

  it('passes a 64 MiB body through with its content-length and counts it', async () => {
    const res = await fetch(`${base}/big`)
    expect(res.headers.get('content-length')).toBe(String(64 << 20))
    let total = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) total += chunk.byteLength
    expect(total).toBe(64 << 20)
    const id = res.headers.get('x-debug-toolbar-request-id')
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
    expect(detail.panels.timer.responseBytes).toBe(64 << 20)
  })
})
