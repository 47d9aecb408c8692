// One Vite configuration per app (see apps.js); `npm run build` builds the three in turn
// (build.js), `WEB_APP=zlb npm run dev` serves one, its API calls proxied to a running gateway.
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { APPS } from './apps.js'

const WEB = fileURLToPath(new URL('.', import.meta.url))
const GATEWAY = process.env.GATEWAY_URL || 'http://127.0.0.1:8000'

export function appConfig(name) {
  const app = APPS.find((candidate) => candidate.name === name)
  if (!app) throw new Error(`unknown app ${name}: one of ${APPS.map((known) => known.name).join(', ')}`)
  return {
    configFile: false,
    root: resolve(WEB, app.dir),
    base: app.base,
    plugins: [vue()],
    resolve: { alias: { '@shared': resolve(WEB, 'src/shared'), '@src': resolve(WEB, 'src') } },
    build: {
      outDir: resolve(WEB, 'dist', app.dir),
      emptyOutDir: true,
      chunkSizeWarningLimit: 2000,
    },
    server: {
      fs: { allow: [WEB] },
      proxy: Object.fromEntries(['/auth', '/zzd', '/zlb', '/admin', '/public'].map((path) => [path, GATEWAY])),
    },
    logLevel: 'warn',
  }
}

export default defineConfig(() => appConfig(process.env.WEB_APP || 'console'))
