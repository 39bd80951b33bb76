import type { VNode } from 'preact'

/**
 * The server-rendered views core needs, handed to it by the package entry: core renders
 * them but does not import them, so `src/core` depends on no template.
 */
export interface ToolbarViews {
  /** The full-page view (`{prefix}/` and `{prefix}/requests/:id`) for API-only apps; `nonce` is the app's CSP nonce. */
  fullPage(props: { prefix: string; requestId: string; version: string; nonce?: string }): VNode
  /** The content of a panel that has no browser component and no `render()` of its own. */
  statsTable(stats: unknown): VNode
}
