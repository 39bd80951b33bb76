/**
 * The toolbar's own calls to its API. They go through the page's fetch as it was before the
 * toolbar wrapped it (see follow-requests.ts), so they never show up as "requests made by
 * this page", and a page that replaces fetch later does not see them either.
 */
const nativeFetch: typeof fetch = globalThis.fetch.bind(globalThis)

/** An API answer other than 2xx, with the message of its `{ "error": "..." }` body. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

/**
 * GETs a JSON document from the toolbar's API.
 *
 * @example
 * ```ts
 * const page = await getJson<{ requests: RequestSummary[]; total: number }>(`${prefix}/api/requests?limit=20`)
 * ```
 */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await nativeFetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', signal })
  const body = await res.text()
  if (!res.ok) throw new ApiError(errorMessage(body) ?? `${res.status} ${res.statusText}`, res.status)
  return JSON.parse(body) as T
}

/**
 * POSTs a JSON document (given as text, e.g. a file's content) to the toolbar's API and
 * answers the JSON reply.
 *
 * @example
 * ```ts
 * const { traceIds } = await postJson<{ traceIds: string[] }>(`${prefix}/api/traces/import`, await file.text())
 * ```
 */
export function postJson<T>(url: string, body: string): Promise<T> {
  return sendJson<T>('POST', url, body)
}

/**
 * Asks the toolbar's API to change something (`POST`, `DELETE`), with a JSON body or none,
 * and answers the JSON reply.
 *
 * @example
 * ```ts
 * const { running } = await sendJson<{ running: boolean }>('DELETE', `${prefix}/api/profiler`)
 * ```
 */
export async function sendJson<T>(method: 'POST' | 'DELETE', url: string, body?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await nativeFetch(url, { method, headers, credentials: 'same-origin', body })
  const text = await res.text()
  if (!res.ok) throw new ApiError(errorMessage(text) ?? `${res.status} ${res.statusText}`, res.status)
  return JSON.parse(text) as T
}

/**
 * GETs a text document (a panel's server-rendered HTML) from the toolbar's API.
 *
 * @example
 * ```ts
 * const html = await getText(`${prefix}/api/requests/${id}/panels/cache/html`)
 * ```
 */
export async function getText(url: string, signal?: AbortSignal): Promise<string> {
  const res = await nativeFetch(url, { credentials: 'same-origin', signal })
  const body = await res.text()
  if (!res.ok) throw new ApiError(errorMessage(body) ?? `${res.status} ${res.statusText}`, res.status)
  return body
}

function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    return typeof parsed.error === 'string' ? parsed.error : undefined
  } catch {
    return undefined
  }
}
