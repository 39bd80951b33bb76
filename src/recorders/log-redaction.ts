/**
 * Secrets inside logged values. Headers, params and attributes are redacted by their name
 * where the toolbar collects them; a logged object carries names too (pino-http logs the
 * request with its headers, an app logs `{ user }` with its password), so the values of
 * secret-named keys are replaced at any depth before a line is formatted for the panel.
 * The terminal still prints the line as the app wrote it.
 */
import { inspect, types } from 'node:util'
import { cutError } from '../core/cut-text.js'
import { isSecretName, REDACTED } from '../core/redact.js'

/**
 * `JSON.stringify(value)` with the value of every secret-named key replaced, at any depth;
 * `replacer` (called with the holder as `this`, as JSON.stringify calls it) sees the rest.
 * Throws where JSON.stringify throws (a cycle, a bigint) or the replacer throws.
 *
 * @example
 * ```ts
 * redactedJson({ user: { name: 'ann', password: 'x' } }) // '{"user":{"name":"ann","password":"********"}}'
 * ```
 */
export function redactedJson(value: unknown, replacer?: (this: object, key: string, value: unknown) => unknown): string | undefined {
  return JSON.stringify(value, function secretKeysRedacted(this: object, key: string, shown: unknown) {
    if (key !== '' && isSecretName(key)) return REDACTED
    return replacer ? replacer.call(this, key, shown) : shown
  })
}

/** How much of a logged object is printed: levels of keys, and items of an array. */
export interface PrintedShape {
  levels: number
  items: number
}

// util.inspect shows the keys of nested objects down to depth 2 (3 levels) for console.log,
// 4 for `%o`, and the first 100 items of an array: deeper keys and later items are never
// printed, so they are not looked at. `%j` writes the whole object as JSON.
const INSPECTED: PrintedShape = { levels: 3, items: 100 }
const INSPECTED_O: PrintedShape = { levels: 5, items: 100 }
const WHOLE: PrintedShape = { levels: Infinity, items: Infinity }

/**
 * How much of the objects logged after `format` (a console call's first argument) the
 * console prints.
 *
 * @example
 * ```ts
 * printedShape('user %j') // { levels: Infinity, items: Infinity }
 * ```
 */
export function printedShape(format: unknown): PrintedShape {
  if (typeof format !== 'string' || !format.includes('%')) return INSPECTED
  if (format.includes('%j')) return WHOLE
  return format.includes('%o') ? INSPECTED_O : INSPECTED
}

/**
 * How much of the object `console.dir(object, options)` prints: its `depth` (default 2,
 * `null` for all of it) and `maxArrayLength` (default 100) are util.inspect's.
 *
 * @example
 * ```ts
 * dirShape({ depth: 0 }) // { levels: 1, items: 100 }
 * ```
 */
export function dirShape(options: unknown): PrintedShape {
  const { depth, maxArrayLength } = (typeof options === 'object' && options !== null ? options : {}) as { depth?: unknown; maxArrayLength?: unknown }
  return {
    levels: depth === null ? Infinity : typeof depth === 'number' ? Math.max(depth, 0) + 1 : INSPECTED.levels,
    items: maxArrayLength === null ? Infinity : typeof maxArrayLength === 'number' ? Math.max(maxArrayLength, 0) : INSPECTED.items,
  }
}

/**
 * What `console.table(rows)` prints: every row, the keys of each row as columns, and one
 * level of keys in a cell holding an object.
 */
export const TABLE_SHAPE: PrintedShape = { levels: 3, items: Infinity }

/**
 * `value` with the values of secret-named keys replaced in the part of it that is printed
 * (`shape`: by default what `%o` shows); a Map's string keys count as names (`'password' =>
 * 'x'`), and the items of a Set are looked into. An object, array, Map or Set that holds such a key is copied
 * with its prototype and its cycles (so `Account { ... }` and `[Circular *1]` read as
 * before); anything else, or a value with nothing to hide, is returned as it is. An error
 * in the printed part is copied too, its stack starting with the name and message the
 * Request panel shows (`HTTPException: 404 Not Found`, not V8's `Error`; see `cutError`),
 * its own properties, `[cause]` and `[errors]` redacted as any other.
 *
 * @example
 * ```ts
 * formatWithOptions({}, withoutSecrets({ token: 'abc', id: 1 })) // "{ token: '********', id: 1 }"
 * ```
 */
export function withoutSecrets(value: unknown, shape: PrintedShape = INSPECTED_O): unknown {
  return holdsSecret(value, shape.levels, shape.items, new Set()) ? copyWithout(value, shape.levels, shape.items, new Map()) : value
}

/**
 * `value` as console.log prints it (util.inspect, depth 2, the first 100 items of an array,
 * Map or Set), its secrets and errors as `withoutSecrets` shows them. For a logged value
 * that JSON cannot carry: a Map, a Set, a class instance, a date, a buffer, a function.
 *
 * @example
 * ```ts
 * inspectedText(new Map([['password', 'x']])) // "Map(1) { 'password' => '********' }"
 * ```
 */
export function inspectedText(value: unknown): string {
  return inspect(withoutSecrets(value, INSPECTED), { depth: INSPECTED.levels - 1, maxArrayLength: INSPECTED.items })
}

/** Errors, as inspect prints them: their stack, then their own properties, cause and errors. */
function isLoggedError(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && !types.isProxy(value) && (types.isNativeError(value) || value instanceof Error)
}

/** Plain objects, arrays and class instances: what inspect prints key by key. */
function isInspectedObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false
  return Array.isArray(value) || Object.prototype.toString.call(value) === '[object Object]'
}

/** The keys that are printed: an array's first `items` items, an object's own keys. */
function printedKeys(value: object, items: number): Array<string | symbol> {
  if (!Array.isArray(value)) return Reflect.ownKeys(value)
  return Array.from({ length: Math.min(value.length, items) }, (_, i) => String(i))
}

/** A Map or Set as inspect prints it: its first `items` entries (`[key, value]`, or `[item, item]`). */
function printedEntries(value: Map<unknown, unknown> | Set<unknown>, items: number): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> = []
  for (const entry of value.entries()) {
    if (entries.length >= items) break
    entries.push(entry)
  }
  return entries
}

function isCollection(value: unknown): value is Map<unknown, unknown> | Set<unknown> {
  return (types.isMap(value) || types.isSet(value)) && !types.isProxy(value)
}

/** Whether `value` has a secret-named key in its first `levels` levels of keys. */
function holdsSecret(value: unknown, levels: number, items: number, seen: Set<object>): boolean {
  // An error is always copied: its stack is shown as the Request panel names it.
  if (levels > 0 && isLoggedError(value)) return true
  if (levels > 0 && isCollection(value) && !seen.has(value)) {
    seen.add(value)
    // A Map's string key names its value (`'password' => 'x'`); keys and items can be objects.
    return printedEntries(value, items).some(([key, item]) =>
      (types.isMap(value) && typeof key === 'string' && isSecretName(key)) || holdsSecret(key, levels - 1, items, seen) || holdsSecret(item, levels - 1, items, seen))
  }
  if (levels <= 0 || !isInspectedObject(value) || seen.has(value)) return false
  seen.add(value)
  for (const key of printedKeys(value, items)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)
    if (!descriptor || !('value' in descriptor)) continue
    if (typeof key === 'string' && isSecretName(key)) return true
    if (holdsSecret(descriptor.value, levels - 1, items, seen)) return true
  }
  return false
}

function copyWithout(value: unknown, levels: number, items: number, copies: Map<object, object>): unknown {
  // An object copied already is its copy, at any level: a cycle that closes past the levels
  // copied still points at the copy, and inspect prints it `[Circular *1]`, as the terminal does.
  const done = typeof value === 'object' && value !== null ? copies.get(value) : undefined
  if (done) return done
  if (levels > 0 && isCollection(value)) return copyCollection(value, levels, items, copies)
  if (levels > 0 && isLoggedError(value)) return copyError(value, levels, items, copies)
  if (levels <= 0 || !isInspectedObject(value)) return value
  if (Array.isArray(value)) {
    // Items past the printed ones are kept as they are.
    const copy = value.slice()
    copies.set(value, copy)
    for (let i = 0; i < Math.min(value.length, items); i++) if (i in value) copy[i] = copyWithout(value[i], levels - 1, items, copies)
    return copy
  }
  const copy: object = Object.create(Object.getPrototypeOf(value))
  copies.set(value, copy)
  copyOwnProperties(value, copy, levels, items, copies)
  return copy
}

/** Every own property of `value` onto `copy`, as it is but for the values of secret-named keys and what they hold. */
function copyOwnProperties(value: object, copy: object, levels: number, items: number, copies: Map<object, object>, except?: string): void {
  for (const key of Reflect.ownKeys(value)) {
    if (key === except) continue
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!
    if ('value' in descriptor) descriptor.value = typeof key === 'string' && isSecretName(key) ? REDACTED : copyWithout(descriptor.value, levels - 1, items, copies)
    Object.defineProperty(copy, key, descriptor)
  }
}

/**
 * An error copied with its prototype (inspect still names its class, `Foo [Error]`), its
 * own properties (the non-enumerable `cause` and AggregateError's `errors` among them, which
 * inspect prints as `[cause]` and `[errors]`) and the stack `cutError` shows.
 */
function copyError(error: Error, levels: number, items: number, copies: Map<object, object>): object {
  const copy: object = Object.create(Object.getPrototypeOf(error))
  copies.set(error, copy)
  Object.defineProperty(copy, 'stack', { value: cutError(error).stack, writable: true, configurable: true, enumerable: false })
  copyOwnProperties(error, copy, levels, items, copies, 'stack')
  return copy
}

/** A Map or Set copied with its prototype, its printed entries redacted and the rest kept as they are. */
function copyCollection(value: Map<unknown, unknown> | Set<unknown>, levels: number, items: number, copies: Map<object, object>): object {
  const isMap = types.isMap(value)
  const copy = Object.setPrototypeOf(isMap ? new Map() : new Set(), Object.getPrototypeOf(value)) as Map<unknown, unknown> | Set<unknown>
  copies.set(value, copy)
  let at = 0
  for (const [key, item] of value.entries()) {
    const printed = at++ < items
    if (!printed) {
      if (isMap) Map.prototype.set.call(copy, key, item)
      else Set.prototype.add.call(copy, item)
      continue
    }
    const shownKey = copyWithout(key, levels - 1, items, copies)
    // A subclass's own `set` / `add` is not run: the copy only has to print as the original does.
    if (!isMap) Set.prototype.add.call(copy, shownKey)
    else Map.prototype.set.call(copy, shownKey, typeof key === 'string' && isSecretName(key) ? REDACTED : copyWithout(item, levels - 1, items, copies))
  }
  return copy
}
