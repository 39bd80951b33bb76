import type { DebugToolbarOptions } from './options.js'
import type { Toolbar } from './toolbar.js'

/**
 * Something an entry point adds to every toolbar it creates (the MCP server): called once
 * per toolbar, after the panels' `setup()`. Core stays free of the feature's code and
 * dependencies; the entry that wants the feature registers it.
 */
export type ToolbarFeature = (toolbar: Toolbar, options: DebugToolbarOptions) => void

const features: ToolbarFeature[] = []

/**
 * Adds `feature` to every toolbar created from now on (registering the same one twice adds it once).
 *
 * @example
 * ```ts
 * registerToolbarFeature((toolbar) => toolbar.routes.get('/hello', (c) => c.text('hi')))
 * ```
 */
export function registerToolbarFeature(feature: ToolbarFeature): void {
  if (!features.includes(feature)) features.push(feature)
}

/** The registered features, in registration order. */
export function toolbarFeatures(): readonly ToolbarFeature[] {
  return features
}
