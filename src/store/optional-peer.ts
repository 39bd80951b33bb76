/**
 * Loading a database driver that is an optional peer dependency: the main entry never
 * loads one, and a store whose driver is missing says which package to install.
 */

/**
 * `require(name)`, or an error naming the package to install when it is not there.
 *
 * @example
 * ```ts
 * const pg = optionalPeer<typeof import('pg')>('pg', 'PostgresStore', createRequire(import.meta.url))
 * ```
 */
export function optionalPeer<T>(name: string, user: string, load: (id: string) => unknown): T {
  try {
    return load(name) as T
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    // Only the package itself missing: a broken install (a missing native binding) keeps its own error.
    if (code === 'MODULE_NOT_FOUND' && String(message).includes(`'${name}'`)) {
      throw new Error(`${user} needs the "${name}" package, which is not installed: run \`npm install ${name}\``, { cause: error })
    }
    throw error
  }
}
