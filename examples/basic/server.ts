import { serve } from '@hono/node-server'
import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const hostname = process.env.HOST ?? '127.0.0.1'

serve({ fetch: createApp().fetch, port, hostname }, (info) => {
  console.log(`Demo app with the debug toolbar: http://${hostname}:${info.port}/`)
})
