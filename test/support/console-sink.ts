import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { afterAll, beforeAll } from 'vitest'
import { uninstallConsoleCapture } from '../../src/index.js'

/**
 * For the tests of a file: the app's console writes into a string (kept out of the test
 * report) through a real Console, as a terminal would show it; `printed()` reads it and
 * `clear()` empties it. The console and its capture are put back after the file.
 */
export function consoleSink(): { printed: () => string; clear: () => void } {
  const realConsole = globalThis.console
  let text = ''
  beforeAll(() => {
    const sink = new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) })
    globalThis.console = new Console({ stdout: sink, stderr: sink })
  })
  afterAll(() => {
    uninstallConsoleCapture()
    globalThis.console = realConsole
  })
  return { printed: () => text, clear: () => (text = '') }
}
