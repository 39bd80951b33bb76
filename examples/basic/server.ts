import { serve } from '@hono/node-server'
import { createApp } from './app.js'
import { storeFromEnvironment } from './store.js'

const port = Number(process.env.PORT ?? 3000)
const hostname = process.env.HOST ?? '127.0.0.1'

const store = await storeFromEnvironment()
serve({ fetch: createApp({ store }).fetch, port, hostname }, (info) => {
  console.log(`Demo app with the debug toolbar: http://${hostname}:${info.port}/`)
  if (store) console.log(`The toolbar's history is kept by ${store.constructor.name}`)
})
