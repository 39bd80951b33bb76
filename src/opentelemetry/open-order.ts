/**
 * The order in which a store's items were opened, oldest first, for eviction.
 *
 * A Map keeps insertion order too, but a store that opens one trace per request and evicts
 * the oldest uses its Map first-in first-out: each deleted entry stays a dead slot until the
 * Map grows or shrinks, and finding the oldest live entry walks over all of them, up to a
 * few hundred per request (specs/performance.md, item 22). Here the dead places
 * at the front are dropped once, and the list is rebuilt when dead places outnumber live
 * ones, so memory stays within twice the live items.
 */

/** An item that knows its place in the order: -1 when it is not in it. */
export interface Ordered {
  openSeq: number
}

/**
 * Items oldest first; an item pushed again moves to the end.
 *
 * @example
 * ```ts
 * const order = new OpenOrder<{ openSeq: number; id: string }>()
 * const a = { openSeq: -1, id: 'a' }
 * order.push(a)
 * for (let i = order.first(); i < order.end; i++) order.at(i)?.id // 'a'
 * order.remove(a)
 * ```
 */
export class OpenOrder<T extends Ordered> {
  private slots: Array<T | undefined> = []
  private head = 0
  private live = 0

  /** One past the newest place: `for (let i = order.first(); i < order.end; i++)`. */
  get end(): number {
    return this.slots.length
  }

  /** Places `item` last; its earlier place, if any, no longer counts. */
  push(item: T): void {
    if (item.openSeq === -1) this.live++
    item.openSeq = this.slots.length
    this.slots.push(item)
    if (this.slots.length > 2 * this.live + 64) this.rebuild()
  }

  /** Takes `item` out of the order. */
  remove(item: T): void {
    if (item.openSeq === -1) return
    this.slots[item.openSeq] = undefined
    item.openSeq = -1
    this.live--
  }

  /** The item at place `i`, or undefined when the place is dead (removed, or moved later). */
  at(i: number): T | undefined {
    const item = this.slots[i]
    return item !== undefined && item.openSeq === i ? item : undefined
  }

  /** The place of the oldest item, after dropping the dead places before it. */
  first(): number {
    const slots = this.slots
    while (this.head < slots.length && this.at(this.head) === undefined) slots[this.head++] = undefined
    if (this.head > 64 && this.head * 2 > slots.length) this.rebuild()
    return this.head
  }

  /** Forgets every item (they are told they are out). */
  clear(): void {
    for (let i = this.head; i < this.slots.length; i++) {
      const item = this.at(i)
      if (item) item.openSeq = -1
    }
    this.slots = []
    this.head = 0
    this.live = 0
  }

  /** The live items alone, in order, each told its new place. */
  private rebuild(): void {
    const slots: T[] = []
    for (let i = this.head; i < this.slots.length; i++) {
      const item = this.at(i)
      if (item === undefined) continue
      item.openSeq = slots.length
      slots.push(item)
    }
    this.slots = slots
    this.head = 0
  }
}
