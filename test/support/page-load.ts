import { request as httpRequest } from 'node:http'

/** What Chromium sends for a page load. */
export const PAGE_LOAD = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' }

/** GETs `path` from a server at `base`, as a page load unless other headers are given, and reads the whole body. */
export async function get(base: string, path: string, headers: Record<string, string> = PAGE_LOAD) {
  const res = await fetch(`${base}${path}`, { headers })
  return { status: res.status, type: res.headers.get('content-type'), headers: res.headers, text: await res.text() }
}

/** The text of a page with its markup taken out, as a reader sees it. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
}

/**
 * GETs `path` from a server at `base` as a page load whose Host header is `host`, as a
 * browser sends it for a page at that name (fetch cannot set Host): a name re-pointed at
 * 127.0.0.1 (DNS rebinding), `localhost`, a name in /etc/hosts.
 */
export function getAt(base: string, path: string, host: string, headers: Record<string, string> = PAGE_LOAD) {
  return new Promise<{ status: number; type: string | undefined; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers: { ...headers, host } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
