// Builds every app of apps.js into web/dist/<dir>/ (`npm run build`, called by `make web`).
import { build } from 'vite'
import { APPS } from './apps.js'
import { appConfig } from './vite.config.js'

for (const app of APPS) {
  const started = Date.now()
  await build(appConfig(app.name))
  console.log(`built ${app.name} (${app.base}) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
