// The zlb H5 app (mounted at /h5/zlb/): enterprise people on 浙里办 — my projects, check in, my
// month, leave, my scores and objections.
import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import '../common/h5.css'
import { createAppI18n, savedLocale } from '@shared/i18n.js'
import { useSessionKey } from '@shared/session.js'
import h5Messages from '@shared/messages/h5.js'
import messages from '@shared/messages/zlb.js'
import { createH5Router } from '../common/router.js'
import { useVantLocale } from '../common/vantLocale.js'
import App from './App.vue'
import { routes } from './routes.js'

useSessionKey('zlb')
useVantLocale(savedLocale())
createApp(App).use(Vant).use(createAppI18n(h5Messages, messages)).use(createH5Router('zlb', routes)).mount('#app')
