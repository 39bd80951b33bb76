/**
 * What the debug error page shows of a request that failed: made by core from the error
 * (`src/core/error-page.ts`), rendered by the page's view (`templates/server/error-page.tsx`).
 * Every text is as the error and the request gave it, redacted but not escaped: the view
 * escapes it when it renders.
 */

/** One line of a stack trace, and whether it is the app's own code. */
export interface StackFrame {
  /**
   * The frame without its indentation, its location in the one form of `codeLocation`
   * (mapped through the file's source map): `at handler (src/server.ts:12:9)`.
   */
  text: string
  /** False for frames in `node_modules`, in Node itself (`node:`), of the toolbar, or with no file. */
  own: boolean
  /** For the first of the app's own frames: the source lines around it, redacted, the frame's line marked. */
  source?: { number: number; text: string; current: boolean }[]
}

/** An error, or one of its causes, as the page shows it. */
export interface ErrorEntry {
  /** As the Request panel names it (`HTTPException`, `TypeError`); empty for a cause that is not an Error. */
  name: string
  /** Cut and redacted. */
  message: string
  /** The stack's frames, in order; empty when the stack has none V8 wrote. */
  frames: StackFrame[]
  /** A stack that is not V8's (its frames could not be read), shown as it is. */
  rawStack?: string
  /**
   * An `AggregateError`'s errors (what `Promise.any` and `Promise.allSettled`-style code
   * throw), each as an entry of its own with no errors of its own listed: the first ones.
   */
  errors?: ErrorEntry[]
  /** An `AggregateError`'s errors beyond those listed. */
  errorsLeftOut?: number
}

/** Everything the error page shows. */
export interface ErrorReport {
  /** The status answered (500). */
  status: number
  method: string
  path: string
  /** The matched route pattern (`/users/:id`), when a route matched. */
  route: string | undefined
  requestId: string
  /** The toolbar's prefix, for the links to its full-page view and to its stylesheet. */
  prefix: string
  /** The app's CSP nonce, for the stylesheet link. */
  nonce: string | undefined
  error: ErrorEntry
  /** `error.cause`, its `cause`, and so on, nearest first. */
  causes: ErrorEntry[]
  /** Causes further down the chain than the page shows. */
  causesLeftOut: number
}

/**
 * `GET {prefix}/static/error-page-style`: the error page's stylesheet (a file, so a CSP of
 * `'self'` allows it). No `.css` in the name: see `static-routes.ts` (Vite's dev server).
 */
export const ERROR_PAGE_CSS_ROUTE = '/static/error-page-style'
/** The stylesheet's earlier name, still served. */
export const ERROR_PAGE_CSS_FILE_ROUTE = '/static/error-page.css'
