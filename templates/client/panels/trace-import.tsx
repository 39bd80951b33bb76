import { useRef, useState } from 'preact/hooks'
import { postJson } from '../toolbar-api.js'

/** What an import brought in: the first trace of the file is the one shown. */
export interface ImportedTrace {
  traceId: string
  traceIds: string[]
  fileName: string
  spans: number
  /** Spans refused (over `maxSpansPerTrace`, bad ids or times), and why. */
  rejected: number
  errorMessage: string | undefined
}

type ImportState = { state: 'idle' } | { state: 'importing'; fileName: string } | { state: 'failed'; message: string }

/**
 * Importing an OTLP/JSON file (what "Download OTLP JSON" saves, or any collector's file) by
 * dropping it on the waterfall or choosing it: the file goes to `POST {prefix}/api/traces/import`
 * and its first trace is shown.
 *
 * @example
 * ```tsx
 * const drop = useTraceImport(prefix, setImported)
 * <div {...drop.zone}>…<ImportButton drop={drop} /></div>
 * ```
 */
export function useTraceImport(prefix: string, onImported: (trace: ImportedTrace) => void) {
  const [status, setStatus] = useState<ImportState>({ state: 'idle' })
  const [dragging, setDragging] = useState(false)
  const importFile = async (file: File) => {
    setStatus({ state: 'importing', fileName: file.name })
    try {
      const answer = await postJson<{ traceIds: string[]; spans: number; rejected: number; errorMessage?: string }>(`${prefix}/api/traces/import`, await file.text())
      setStatus({ state: 'idle' })
      const { traceIds, spans, rejected, errorMessage } = answer
      onImported({ traceId: traceIds[0]!, traceIds, fileName: file.name, spans, rejected, errorMessage })
    } catch (error) {
      setStatus({ state: 'failed', message: `${file.name}: ${error instanceof Error ? error.message : String(error)}` })
    }
  }
  const hasFiles = (event: DragEvent) => [...(event.dataTransfer?.types ?? [])].includes('Files')
  const zone = {
    onDragOver: (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault()
      setDragging(true)
    },
    onDragLeave: () => setDragging(false),
    onDrop: (event: DragEvent) => {
      const file = event.dataTransfer?.files[0]
      if (!file) return
      event.preventDefault()
      setDragging(false)
      void importFile(file)
    },
  }
  return { zone, dragging, status, importFile }
}

/**
 * "Import OTLP JSON…": the keyboard's way to the same import as a drop, with the import's
 * progress or error beside it.
 *
 * @example
 * ```tsx
 * <ImportButton drop={useTraceImport(prefix, show)} />
 * ```
 */
export function ImportButton({ drop }: { drop: ReturnType<typeof useTraceImport> }) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <>
      <button type="button" class="hdt-otel-button" onClick={() => input.current?.click()} title="Or drop an OTLP/JSON file on the waterfall">
        Import OTLP JSON…
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        class="hdt-visually-hidden"
        // The button above is the control: the hidden input is neither a Tab stop nor announced.
        tabIndex={-1}
        aria-hidden="true"
        aria-label="OTLP/JSON file to import"
        onChange={(event) => {
          const file = (event.currentTarget as HTMLInputElement).files?.[0]
          if (file) void drop.importFile(file)
          ;(event.currentTarget as HTMLInputElement).value = ''
        }}
      />
      {drop.status.state === 'importing' && <span class="hdt-muted">importing {drop.status.fileName}…</span>}
      {drop.status.state === 'failed' && <span class="hdt-otel-error">Import failed: {drop.status.message}</span>}
    </>
  )
}
