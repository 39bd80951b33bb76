/**
 * What the converter keeps of a request's work after its response (`LateWork`), and how it
 * finds the render an item written then was written in: a render made after the response
 * and still running, or one converted with the request while still running.
 */
import type { Context as OtelContext, Span } from '@opentelemetry/api'
import type { RequestRecord } from '../core/record.js'
import { SLOTS } from '../shapes/records.js'
import type { RecordedLog, RecordedQuery, RecordedRender } from '../shapes/records.js'
import type { ConvertCounts, ConvertKind } from './converter.js'

/**
 * A request's work after its response, as `convertLate` keeps it: one per request, held by
 * the caller (the OpenTelemetry panel keeps it in the request's state).
 */
export interface LateWork {
  /** What was converted, each kind's count; `convertLate` adds to it. */
  counts: ConvertCounts
  /** The id of the request's first render not converted with the request (`RenderLog.nextId` then). */
  rendersFrom: number
  /**
   * Items written inside a late render still running, by the render's id: converted under its
   * span when it ends, or when the trace stops taking spans (`convertWaiting`). A late render
   * is noted here as it starts, with nothing waiting yet (`awaitLateRender`), so that one with
   * nothing written inside it is converted then too.
   */
  waiting?: Map<number, Array<{ kind: ConvertKind; item: unknown }>>
  /**
   * For a late render waited for that started inside a span the app had open (the active span,
   * when it records and is of the request's trace), that span's context, by the render's id
   * (`awaitLateRender`): converted still running, the render goes under it, as one that ends
   * in time goes under the app's span open where it ends. Dropped when the render is converted.
   */
  startedIn?: Map<number, OtelContext>
  /**
   * Renders converted with the request while still running, by id (`convert` notes them): what
   * is written in them later nests under their span, which ended with the request.
   */
  unfinished?: Map<number, RenderSpan>
}

/** A render's span as the converter made it, and the context that nests spans inside it. */
export interface RenderSpan {
  render: RecordedRender
  span: Span
  context: OtelContext
}

/** The render `id` of `renders`, if it is one of `rendersFrom` on (a render made after the response). */
export function lateRender(renders: RecordedRender[], id: number, rendersFrom: number): RecordedRender | undefined {
  if (id < rendersFrom) return undefined
  for (let i = renders.length - 1; i >= 0 && renders[i]!.id >= id; i--) if (renders[i]!.id === id) return renders[i]
  return undefined
}

/** Whether `render` still ran `endMs` into the request. */
export function runsAt(render: RecordedRender, endMs: number): boolean {
  return render.durationMs === undefined || render.startMs + render.durationMs > endMs
}

/**
 * The render converted with the request while still running that `item` was written in: a
 * log line's or a query's render (its `renderId`), or a render's parent.
 */
export function unfinishedRender(kind: ConvertKind, item: unknown, unfinished: Map<number, RenderSpan>): RenderSpan | undefined {
  const id = renderOf(kind, item)
  return id === undefined ? undefined : unfinished.get(id)
}

/**
 * The late render still running that `item` was written in: a log line's or a query's render
 * (its `renderId`), or a render's parent. Only renders of `rendersFrom` on count: those before
 * were converted with the request.
 */
export function runningRender(record: RequestRecord, kind: ConvertKind, item: unknown, rendersFrom: number): RecordedRender | undefined {
  const renders = record.peek(SLOTS.templates)?.renders
  if (!renders) return undefined
  const id = renderOf(kind, item)
  if (id === undefined || id < rendersFrom) return undefined
  for (let i = renders.length - 1; i >= 0 && renders[i]!.id >= rendersFrom; i--) {
    const render = renders[i]!
    if (render.durationMs === undefined && render.id === id) return render
  }
  return undefined
}

/**
 * The render `item` was written in: a log line's or a query's (`renderId`, a query's only when
 * it was made in one), or a render's parent.
 */
function renderOf(kind: ConvertKind, item: unknown): number | undefined {
  if (kind === 'logging') return (item as RecordedLog).renderId
  if (kind === 'sql') return (item as RecordedQuery).renderId
  return kind === 'templates' ? (item as RecordedRender).parentId : undefined
}
