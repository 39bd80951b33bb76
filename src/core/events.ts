/** What the toolbar tells live listeners (the browser, through server-sent events). */
export interface ToolbarEvent {
  type: 'request.created' | 'request.finished' | 'trace.created' | 'trace.updated' | 'trace.completed'
  data: { requestId?: string; traceId?: string; name: string; spanCount?: number; services?: string[]; source?: string; status?: number }
}

export type ToolbarEventListener = (event: ToolbarEvent) => void

/** A tiny synchronous event hub; a failing listener never affects the others or the request. */
export class ToolbarEvents {
  private readonly listeners = new Set<ToolbarEventListener>()

  /** Adds a listener and returns the function that removes it. */
  subscribe(listener: ToolbarEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(event: ToolbarEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A broken listener (a closed connection) must not break the request that emitted.
      }
    }
  }

  get size(): number {
    return this.listeners.size
  }
}
