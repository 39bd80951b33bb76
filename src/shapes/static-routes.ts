/**
 * Where the toolbar serves its own files, under `{prefix}`. The names the toolbar writes
 * into pages have no file extension on purpose: @hono/vite-dev-server hands every path
 * ending in `.js`, `.css`, `.ts`, ... to Vite instead of the app (its default `exclude`),
 * and Vite answers 404 for a file it does not have, so under `vite dev` a tag pointing at
 * `toolbar.js` would load nothing. The names with extensions still answer, for links
 * written before.
 */

/** `GET {prefix}/static/toolbar`: the toolbar's browser bundle (JavaScript). */
export const TOOLBAR_SCRIPT_ROUTE = '/static/toolbar'
/** The bundle's earlier name, still served. */
export const TOOLBAR_SCRIPT_FILE_ROUTE = '/static/toolbar.js'
