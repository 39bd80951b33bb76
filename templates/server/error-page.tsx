import type { ErrorEntry, ErrorReport, StackFrame } from '../../src/shapes/error-report.js'
import { ERROR_PAGE_CSS_ROUTE } from '../../src/shapes/error-report.js'

/**
 * The debug error page: a failed page load's error, its causes and stack (the app's own
 * frames apart from those of node_modules and Node), the request, and the toolbar (its tag
 * is put in before `</body>`, as into any page). Rendered with preact-render-to-string, which
 * escapes every string: an error message cannot inject markup.
 *
 * @example
 * ```ts
 * const html = `<!doctype html>${renderToString(ErrorPage(report))}` // report: see ErrorPages.report()
 * ```
 */
export function ErrorPage(report: ErrorReport) {
  const { error, prefix } = report
  return (
    <html lang="en">
      <DebugPageHead title={`${firstLine(headline(error))} · ${report.method} ${report.path}`} prefix={prefix} nonce={report.nonce} />
      <body class="hdt-err">
        <header class="hdt-err-head">
          <p class="hdt-err-status">{report.status} Internal Server Error</p>
          <h1 class="hdt-err-title">
            <span class="hdt-err-name">{error.name || 'Error'}</span>
            {error.message && <pre class="hdt-err-message">{error.message}</pre>}
          </h1>
          <p class="hdt-err-request">
            <code>
              {report.method} {report.path}
            </code>
            {report.route && (
              <>
                {' '}
                route <code>{report.route}</code>
              </>
            )}
            {' · '}
            <a href={`${prefix}/requests/${encodeURIComponent(report.requestId)}`}>open this request in the toolbar</a>
          </p>
        </header>
        <main>
          <Stack entry={error} />
          <Aggregated entry={error} />
          {report.causes.map((cause, i) => (
            <section class="hdt-err-cause" key={i}>
              <h2>
                Caused by <span class="hdt-err-name">{cause.name || 'a thrown value'}</span>
              </h2>
              {cause.message && <pre class="hdt-err-message">{cause.message}</pre>}
              <Stack entry={cause} />
              <Aggregated entry={cause} />
            </section>
          ))}
          {report.causesLeftOut > 0 && (
            <p class="hdt-err-note">
              {report.causesLeftOut} more {report.causesLeftOut === 1 ? 'cause' : 'causes'} further down the chain, not shown
            </p>
          )}
        </main>
        <footer class="hdt-err-note">
          Shown by hono-debug-toolbar in place of Hono&apos;s plain &quot;Internal Server Error&quot;, to the clients the toolbar is shown to.
          The app&apos;s own <code>onError</code> is never replaced; <code>debugToolbar({'{'} errorPage: false {'}'})</code> turns this page off.
        </footer>
      </body>
    </html>
  )
}

/**
 * The head of the toolbar's debug pages (the error page, the 404 page): their title, and
 * the stylesheet the toolbar serves, with the app's CSP nonce.
 *
 * @example
 * ```tsx
 * <html lang="en"><DebugPageHead title="404 · GET /missing" prefix="/_debug_toolbar" nonce={undefined} /><body>...</body></html>
 * ```
 */
export function DebugPageHead({ title, prefix, nonce }: { title: string; prefix: string; nonce: string | undefined }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title}</title>
      <link rel="stylesheet" href={`${prefix}${ERROR_PAGE_CSS_ROUTE}`} nonce={nonce} />
      {/* As on the full-page view: without it the browser asks the app for /favicon.ico. */}
      <link rel="icon" href={`${prefix}/static/icon.svg`} />
    </head>
  )
}

/** An `AggregateError`'s errors, one section each: `Error 2 of 3`. */
function Aggregated({ entry }: { entry: ErrorEntry }) {
  const errors = entry.errors ?? []
  const total = errors.length + (entry.errorsLeftOut ?? 0)
  return (
    <>
      {errors.map((inner, i) => (
        <section class="hdt-err-cause hdt-err-aggregated" key={i}>
          <h2>
            Error {i + 1} of {total} <span class="hdt-err-name">{inner.name || 'a thrown value'}</span>
          </h2>
          {inner.message && <pre class="hdt-err-message">{inner.message}</pre>}
          <Stack entry={inner} />
        </section>
      ))}
      {total > errors.length && (
        <p class="hdt-err-note">
          {total - errors.length} more {total - errors.length === 1 ? 'error' : 'errors'} of this AggregateError, not shown
        </p>
      )}
    </>
  )
}

/** The stack's frames: the app's own in full, each run of library frames folded. */
function Stack({ entry }: { entry: ErrorEntry }) {
  if (entry.rawStack) return <pre class="hdt-err-raw">{entry.rawStack}</pre>
  if (entry.frames.length === 0) return null
  return <ol class="hdt-err-frames">{runsOf(entry.frames).map((run, i) => (run[0]!.own ? run.map((frame, j) => <Frame frame={frame} key={`${i}-${j}`} />) : <LibraryRun frames={run} key={i} />))}</ol>
}

function Frame({ frame }: { frame: StackFrame }) {
  return (
    <li class={frame.own ? 'hdt-err-own' : 'hdt-err-lib'}>
      <code>{frame.text}</code>
      {frame.source && (
        <pre class="hdt-err-source">
          {frame.source.map((line) => (
            <span class={line.current ? 'hdt-err-line hdt-err-current' : 'hdt-err-line'} key={line.number}>
              {`${line.current ? '>' : ' '} ${String(line.number).padStart(4)} | ${line.text}`}
            </span>
          ))}
        </pre>
      )}
    </li>
  )
}

function LibraryRun({ frames }: { frames: StackFrame[] }) {
  return (
    <li class="hdt-err-libs">
      <details>
        <summary>
          {frames.length} {frames.length === 1 ? 'frame' : 'frames'} in node_modules, Node or the toolbar
        </summary>
        <ol>
          {frames.map((frame, i) => (
            <Frame frame={frame} key={i} />
          ))}
        </ol>
      </details>
    </li>
  )
}

/** Consecutive frames that are all the app's own, or all not. */
function runsOf(frames: StackFrame[]): StackFrame[][] {
  const runs: StackFrame[][] = []
  for (const frame of frames) {
    const last = runs[runs.length - 1]
    if (last && last[0]!.own === frame.own) last.push(frame)
    else runs.push([frame])
  }
  return runs
}

function headline(entry: ErrorEntry): string {
  return entry.message ? `${entry.name}: ${entry.message}` : entry.name
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]!
  return line.length > 120 ? `${line.slice(0, 120)}…` : line
}

/**
 * The page's stylesheet (the 404 page's too), served by the toolbar at `{prefix}/static/error-page-style`.
 * The right padding (88px) leaves the text clear of the toolbar's handle, fixed at the right edge (about 55px wide).
 */
export const ERROR_PAGE_CSS = `
.hdt-err { margin: 0; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #0f172a; background: #f8fafc; }
.hdt-err-head { padding: 24px 88px 20px 32px; background: #fff1f2; border-bottom: 1px solid #fecdd3; }
.hdt-err-status { margin: 0 0 4px; color: #be123c; font-weight: 600; font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
.hdt-err-title { margin: 0; font-size: 22px; font-weight: 600; }
.hdt-err-name { color: #9f1239; }
.hdt-err-message { margin: 6px 0 0; font: 500 17px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; }
.hdt-err-request { margin: 12px 0 0; color: #475569; }
.hdt-err-request code { color: #0f172a; }
.hdt-err main { padding: 12px 88px 24px 32px; }
.hdt-err-cause { margin-top: 20px; padding-top: 12px; border-top: 1px solid #e2e8f0; }
.hdt-err-cause h2 { margin: 0; font-size: 16px; font-weight: 600; }
.hdt-err-cause .hdt-err-message { font-size: 15px; }
.hdt-err-frames, .hdt-err-frames ol { list-style: none; margin: 12px 0 0; padding: 0; }
.hdt-err-frames li { padding: 2px 8px; border-left: 3px solid transparent; }
.hdt-err-source { margin: 4px 0 6px; padding: 4px 8px; background: #f6f8fa; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-x: auto; }
.hdt-err-line { display: block; white-space: pre; }
.hdt-err-current { background: #fff3bf; font-weight: 600; }
.hdt-err-frames code { font: 13px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.hdt-err-own { background: #fff; border-left-color: #e11d48 !important; }
.hdt-err-own code { color: #0f172a; font-weight: 600; }
.hdt-err-lib code { color: #64748b; }
.hdt-err-libs summary { cursor: pointer; color: #64748b; font-size: 13px; }
.hdt-err-libs ol { margin-top: 2px; }
.hdt-err-raw { font: 13px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; }
.hdt-err-note { color: #64748b; font-size: 13px; }
footer.hdt-err-note { padding: 0 88px 32px 32px; }
.hdt-err a { color: #1d4ed8; }
.hdt-nf .hdt-err-head { background: #f1f5f9; border-bottom-color: #cbd5e1; }
.hdt-nf .hdt-err-status { color: #475569; }
.hdt-nf-request { font: 600 20px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.hdt-nf-heading { margin: 12px 0 8px; font-size: 16px; font-weight: 600; }
.hdt-nf-routes { border-collapse: collapse; }
.hdt-nf-routes td { padding: 2px 16px 2px 0; vertical-align: top; }
.hdt-nf-routes code { font: 13px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.hdt-nf-method { font: 600 12px/1.8 ui-monospace, SFMono-Regular, Menlo, monospace; color: #475569; }
.hdt-nf-name { color: #64748b; font-size: 13px; }
`
