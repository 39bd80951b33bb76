import type { VNode } from 'preact'
import type { ErrorReport } from '../shapes/error-report.js'
import type { NotFoundReport } from '../shapes/not-found-report.js'

/**
 * The server-rendered views core needs, handed to it by the package entry: core renders
 * them but does not import them, so `src/core` depends on no template.
 */
export interface ToolbarViews {
  /** The full-page view (`{prefix}/` and `{prefix}/requests/:id`) for API-only apps; `nonce` is the app's CSP nonce. */
  fullPage(props: { prefix: string; requestId: string; version: string; nonce?: string }): VNode
  /** The content of a panel that has no browser component and no `render()` of its own. */
  statsTable(stats: unknown): VNode
  /** The debug error page for a page load that failed (see the `errorPage` option); without it there is none. */
  errorPage?: ErrorPageView
  /** The debug 404 page for a page load no route matched (see the `notFoundPage` option); without it there is none. It uses the error page's stylesheet. */
  notFoundPage?: NotFoundPageView
}

/** The debug error page: the page, and its stylesheet (served at `{prefix}/static/error-page.css`). */
export interface ErrorPageView {
  render(report: ErrorReport): VNode
  css: string
}

/** The debug 404 page (styled by the error page's stylesheet). */
export interface NotFoundPageView {
  render(report: NotFoundReport): VNode
}
