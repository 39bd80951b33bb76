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
