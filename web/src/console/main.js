// The district console (desk), mounted at /console/.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import { createAppI18n } from '@shared/i18n.js'
import { useSessionKey } from '@shared/session.js'
import { whenUnauthenticated } from '@shared/api.js'
import messages from '@shared/messages/console.js'
import App from './App.vue'
import { createConsoleRouter } from './router.js'

useSessionKey('console')
const router = createConsoleRouter()
whenUnauthenticated(() => {
  if (router.currentRoute.value.name !== 'login') {
    router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath, expired: '1' } })
  }
})
createApp(App).use(ElementPlus).use(createAppI18n(messages)).use(router).mount('#app')
