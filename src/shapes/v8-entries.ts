/**
 * What V8's own entries of a CPU profile stand for, and the profiler's calls (`(profiler)`),
 * in the words the Profile panel and get_request use: they have no code location, and
 * `(program)` is not only V8's own work. A
 * loop V8 optimises while it runs (on-stack replacement) in an async function resumed after
 * an `await` samples as `(program)` all through (from the handler's second request on); the
 * converter's profile spans give such a stretch to the function that runs on after it
 * (`src/opentelemetry/profile-frames.ts`). Shared with the browser code.
 */

/**
 * The name the Profile panel gives the profiler's own calls (`dispatch`, native, under
 * node:inspector's `post`), which have no location and would read as Hono's `dispatch`.
 */
export const PROFILER_ENTRY = '(profiler)'

/** The entries V8 names itself, and the profiler's, and what each stands for (`title`: the longer reading). */
const V8_ENTRIES: Readonly<Record<string, { text: string; title?: string }>> = {
  '(idle)': { text: 'waiting: nothing to run' },
  '(program)': {
    text: "V8's own work, or code it could not name (a loop it optimised while it ran)",
    title:
      'V8 names a stretch (program) when no JavaScript frame shows: its own work (compiling, starting a callback), and code it optimised while it ran. The OpenTelemetry waterfall gives such a stretch to the function that runs on after it.',
  },
  '(garbage collector)': { text: 'freeing memory' },
  [PROFILER_ENTRY]: {
    text: 'the toolbar starting and stopping this profile',
    title:
      "Profiler.start and Profiler.stop, which node:inspector runs in native code: what taking the profile cost, not the request's work. The downloaded .cpuprofile names it dispatch, under node:inspector's post.",
  },
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

/** What a function with no source file is: the Profile panel's words where its location would be. */
const NO_SOURCE = {
  text: 'native code: no source file',
  title:
    "V8 gives no file for a function of Node, of V8 or of a native addon (writev, a better-sqlite3 statement's get), nor for one compiled from a string (eval, new Function): its time is real, with no line to point to.",
}

/**
 * What the Profile panel says where a profile entry's location would be, for an entry with
 * none: V8's own entries and the profiler's (`v8Entry`), else a function with no source file.
 *
 * @example
 * ```ts
 * unlocatedEntry('(idle)').text // 'waiting: nothing to run'
 * unlocatedEntry('writev').text // 'native code: no source file'
 * ```
 */
export function unlocatedEntry(name: string): { text: string; title?: string } {
  return v8Entry(name) ?? NO_SOURCE
}
