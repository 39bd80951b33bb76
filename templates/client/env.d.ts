// Stylesheets are bundled as text (esbuild loader '.css': 'text') and applied to the
// toolbar's shadow root, so importing one gives its source.
declare module '*.css' {
  const css: string
  export default css
}
