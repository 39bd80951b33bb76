import { render } from 'preact'
import { followPageRequests, PageRequests } from './follow-requests.js'
import { panelViews } from './panels/index.js'
import { Shell, type ShellProps } from './shell.js'
import baseCss from './toolbar.css'

const HOST_ID = 'hono-debug-toolbar'

/**
 * Entry point of the browser bundle. The loader tag the middleware injects (or the
 * full-page view) carries the prefix and the request id; the toolbar mounts itself in a
 * shadow root so that the page's CSS and the toolbar's never meet.
 */
function start(): void {
  // currentScript is only set while the script first runs; the loader tag is async, so
  // look the tag up by its data attribute when it is not.
  const script =
    (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-hdt-prefix]')
  if (!script || document.getElementById(HOST_ID)) return
  const prefix = script.dataset.hdtPrefix ?? ''
  const requestId = script.dataset.hdtRequestId ?? ''
  const mode = script.dataset.hdtMode === 'page' ? 'page' : 'toolbar'

  // Follow the page's calls from now on, even before the toolbar is on screen.
  const pageRequests = new PageRequests()
  if (mode === 'toolbar') followPageRequests(prefix, pageRequests)
  const mount = () => mountShell(script, { prefix, requestId, mode, pageRequests })
  if (document.body) mount()
  else document.addEventListener('DOMContentLoaded', mount, { once: true })
}

function mountShell(script: HTMLScriptElement, props: ShellProps): void {
  if (document.getElementById(HOST_ID)) return
  const host = document.createElement('div')
  host.id = HOST_ID
  // Inline !important declarations beat the page's rules for this element (its `*` rules
  // included); the shadow stylesheet's `:host` rule repeats them.
  for (const [name, value] of HOST_STYLE) host.style.setProperty(name, value, 'important')
  const shadow = host.attachShadow({ mode: 'open' })
  applyStyles(shadow, [baseCss, ...Object.values(panelViews).map((v) => v.css ?? '')].join('\n'), script.nonce || undefined)
  const container = document.createElement('div')
  shadow.appendChild(container)
  document.body.appendChild(host)
  render(<Shell {...props} />, container)
}

const HOST_STYLE: Array<[string, string]> = [
  ['all', 'initial'],
  ['display', 'block'],
  ['position', 'fixed'],
  ['top', '0'],
  ['left', '0'],
  ['width', '0'],
  ['height', '0'],
  ['overflow', 'visible'],
  ['z-index', '2147483647'],
]

/**
 * Constructable stylesheets are not subject to CSP `style-src`; browsers without them get a
 * `<style>` carrying the loader script's nonce.
 */
function applyStyles(shadow: ShadowRoot, css: string, nonce: string | undefined): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    shadow.adoptedStyleSheets = [sheet]
    return
  }
  const style = document.createElement('style')
  if (nonce) style.nonce = nonce
  style.textContent = css
  shadow.appendChild(style)
}

start()
