// `panel=TimerPanel`: the toolbar with that one default panel; `without=TimerPanel`: the
// default panels but that one (to find which panel a cost comes from). Used by
// bench/server.mjs and bench/inprocess.mjs. True when `variant` was one of these.
export async function usePanelVariant(app, variant) {
  const [kind, name] = variant?.split('=') ?? []
  if ((kind !== 'panel' && kind !== 'without') || !name) return false
  const toolbar = await import('hono-debug-toolbar')
  const panels = toolbar.defaultPanels().filter((panel) => (panel.constructor.name === name) === (kind === 'panel'))
  app.use(toolbar.debugToolbar({ app, panels }))
  return true
}
