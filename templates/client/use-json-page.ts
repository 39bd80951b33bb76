import { useEffect, useState } from 'preact/hooks'
import { getJson } from './toolbar-api.js'

/**
 * The JSON answer of `url`, fetched again whenever `url` or `reload` changes; an earlier
 * fetch still running is aborted. The answer shown stays until the next one arrives.
 *
 * @example
 * ```tsx
 * const { page, error } = useJsonPage<TracePage>(`${prefix}/api/traces?limit=20`, reload)
 * ```
 */
export function useJsonPage<T>(url: string, reload: number): { page: T | undefined; error: string | undefined } {
  const [page, setPage] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
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
  }, [url, reload])
  return { page, error }
}
