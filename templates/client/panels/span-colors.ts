/**
 * Colours of the waterfall: one hue per service (in order of first appearance on the page, so
 * a service keeps its colour in every waterfall and in every row of the trace list), a lighter
 * or darker shade per span kind, red for errors only.
 */
import type { SpanKindName } from '../../../src/core/span-model.js'

// Hues well apart from each other and from the red that marks an error.
const HUES = [212, 160, 38, 268, 190, 320, 95, 245, 55, 290]

// Server spans are the darkest (they frame the work), client and messaging spans lighter.
const LIGHTNESS: Record<SpanKindName, number> = {
  SERVER: 40,
  INTERNAL: 50,
  UNSPECIFIED: 50,
  CLIENT: 60,
  PRODUCER: 64,
  CONSUMER: 44,
}

export const ERROR_COLOR = '#d93025'

// Page-wide on purpose: numbering the services of each trace from 0 gave "inventory" one colour
// in the shop's trace and another in a trace it began, and two services first in their traces
// the same colour side by side in the trace list.
const slots = new Map<string, number>()

/**
 * The colour slot of a service on this page: the next free one the first time it is seen,
 * the same one afterwards. Pass it to `spanColor` and `serviceColor`.
 *
 * @example
 * ```ts
 * serviceSlot('shop-frontend') // 0
 * serviceSlot('inventory') // 1
 * serviceSlot('shop-frontend') // 0
 * ```
 */
export function serviceSlot(service: string): number {
  let slot = slots.get(service)
  if (slot === undefined) {
    slot = slots.size
    slots.set(service, slot)
  }
  return slot
}

/**
 * The fill of a span's bar.
 *
 * @example
 * ```ts
 * spanColor(0, 'SERVER', false) // 'hsl(212 62% 40%)'
 * ```
 */
export function spanColor(serviceIndex: number, kind: SpanKindName, error: boolean): string {
  if (error) return ERROR_COLOR
  return `hsl(${hueOf(serviceIndex)} 62% ${LIGHTNESS[kind] ?? 50}%)`
}

/**
 * The colour of a service's chip: its hue at the middle shade.
 *
 * @example
 * ```ts
 * serviceColor(1) // 'hsl(160 62% 42%)'
 * ```
 */
export function serviceColor(serviceIndex: number): string {
  return `hsl(${hueOf(serviceIndex)} 62% 42%)`
}

function hueOf(index: number): number {
  // Past the palette, rotate by the golden angle so further services stay distinguishable.
  return index < HUES.length ? HUES[index]! : Math.round((HUES[index % HUES.length]! + 137.5 * Math.floor(index / HUES.length)) % 360)
}
