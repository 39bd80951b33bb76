import { useEffect, useState } from 'preact/hooks'
import { getJson } from './toolbar-api.js'

/**
 * The JSON answer of `url`, fetched again whenever `url` or `reload` changes; an earlier
 * fetch still running is aborted. The answer shown stays until the next one arrives.
 * `refused` is what the client already knows is wrong with the query (a malformed filter):
 * it is the error, and nothing is asked of the server, which would only answer 400.
 *
 * @example
 * ```tsx
 * const { page, error } = useJsonPage<TracePage>(`${prefix}/api/traces?limit=20`, reload)
 * ```
 */
export function useJsonPage<T>(url: string, reload: number, refused?: string): { page: T | undefined; error: string | undefined } {
  const [page, setPage] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    if (refused !== undefined) {
      setError(refused)
      return
    }
    const controller = new AbortController()
    getJson<T>(url, controller.signal).then(
      (answer) => {
        setPage(answer)
        setError(undefined)
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure instanceof Error ? failure.message : String(failure))
      },
    )
    return () => controller.abort()
  }, [url, reload, refused])
  return { page, error }
}
