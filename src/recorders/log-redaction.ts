/**
 * Secrets inside logged values. Headers, params and attributes are redacted by their name
 * where the toolbar collects them; a logged object carries names too (pino-http logs the
 * request with its headers, an app logs `{ user }` with its password), so the values of
 * secret-named keys are replaced at any depth before a line is formatted for the panel.
 * The terminal still prints the line as the app wrote it.
 */
import { types } from 'node:util'
import { isSecretName, REDACTED } from '../core/redact.js'

/**
 * `JSON.stringify(value)` with the value of every secret-named key replaced, at any depth.
 * Throws where JSON.stringify throws (a cycle, a bigint).
 *
 * @example
 * ```ts
 * redactedJson({ user: { name: 'ann', password: 'x' } }) // '{"user":{"name":"ann","password":"********"}}'
 * ```
 */
export function redactedJson(value: unknown): string | undefined {
  return JSON.stringify(value, secretKeysRedacted)
}

function secretKeysRedacted(key: string, value: unknown): unknown {
  return key !== '' && isSecretName(key) ? REDACTED : value
}

// util.inspect shows nested objects down to depth 2 for console.log and 4 for `%o`, and
// the first 100 items of an array: deeper keys and later items are never printed.
const INSPECTED_DEPTH = 5
const INSPECTED_ITEMS = 100

/**
 * `value` for util.inspect with the values of secret-named keys replaced as deep as
 * inspect prints. An object or array that holds such a key is copied with its prototype
 * and its cycles (so `Account { ... }` and `[Circular *1]` read as before); anything
 * else, or a value with nothing to hide, is returned as it is.
 *
 * @example
 * ```ts
 * formatWithOptions({}, withoutSecrets({ token: 'abc', id: 1 })) // "{ token: '********', id: 1 }"
 * ```
 */
export function withoutSecrets(value: unknown): unknown {
  return holdsSecret(value, 0, new Set()) ? copyWithout(value, 0, new Map()) : value
}

/** Plain objects, arrays and class instances: what inspect prints key by key. */
function isInspectedObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false
  return Array.isArray(value) || Object.prototype.toString.call(value) === '[object Object]'
}

/** The keys inspect prints: an array's first items, an object's own keys. */
function inspectedKeys(value: object): Array<string | symbol> {
  if (!Array.isArray(value)) return Reflect.ownKeys(value)
  return Array.from({ length: Math.min(value.length, INSPECTED_ITEMS) }, (_, i) => String(i))
}

function holdsSecret(value: unknown, depth: number, seen: Set<object>): boolean {
  if (depth >= INSPECTED_DEPTH || !isInspectedObject(value) || seen.has(value)) return false
  seen.add(value)
  for (const key of inspectedKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)
    if (!descriptor || !('value' in descriptor)) continue
    if (typeof key === 'string' && isSecretName(key)) return true
    if (holdsSecret(descriptor.value, depth + 1, seen)) return true
  }
  return false
}

function copyWithout(value: unknown, depth: number, copies: Map<object, object>): unknown {
  if (depth >= INSPECTED_DEPTH || !isInspectedObject(value)) return value
  const done = copies.get(value)
  if (done) return done
  if (Array.isArray(value)) {
    // Items past the first hundred are never printed: they are kept as they are.
    const copy = value.slice()
    copies.set(value, copy)
    for (let i = 0; i < Math.min(value.length, INSPECTED_ITEMS); i++) if (i in value) copy[i] = copyWithout(value[i], depth + 1, copies)
    return copy
  }
  const copy: object = Object.create(Object.getPrototypeOf(value))
  copies.set(value, copy)
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!
    if ('value' in descriptor) descriptor.value = typeof key === 'string' && isSecretName(key) ? REDACTED : copyWithout(descriptor.value, depth + 1, copies)
    Object.defineProperty(copy, key, descriptor)
  }
  return copy
}
