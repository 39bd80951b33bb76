/**
 * What V8's own entries of a CPU profile stand for, in the words the Profile panel and
 * get_request use: they have no code location, and `(program)` is not only V8's own work. A
 * loop V8 optimises while it runs (on-stack replacement) in an async function resumed after
 * an `await` samples as `(program)` all through (from the handler's second request on); the
 * converter's profile spans give such a stretch to the function that runs on after it
 * (`src/opentelemetry/profile-frames.ts`). Shared with the browser code.
 */

/** The entries V8 names itself, and what each stands for (`title`: the longer reading). */
const V8_ENTRIES: Readonly<Record<string, { text: string; title?: string }>> = {
  '(idle)': { text: 'waiting: nothing to run' },
  '(program)': {
    text: "V8's own work, or code it could not name (a loop it optimised while it ran)",
    title:
      'V8 names a stretch (program) when no JavaScript frame shows: its own work (compiling, starting a callback), and code it optimised while it ran. The OpenTelemetry waterfall gives such a stretch to the function that runs on after it.',
  },
  '(garbage collector)': { text: 'freeing memory' },
}

/**
 * What a profile entry named `name` stands for, when V8 named it itself; undefined for the
 * app's functions and everything else with a location.
 *
 * @example
 * ```ts
 * v8Entry('(program)')?.text // "V8's own work, or code it could not name (a loop it optimised while it ran)"
 * v8Entry('renderReport')    // undefined
 * ```
 */
export function v8Entry(name: string): { text: string; title?: string } | undefined {
  return Object.hasOwn(V8_ENTRIES, name) ? V8_ENTRIES[name] : undefined
}
