// The zzd H5 app (mounted at /h5/zzd/): government staff on 浙政钉 — my tasks (approvals, reviews,
// cases held by my units), deciding a leave or a change, and the owner's project lead's patrol.
import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import '../common/h5.css'
import { createAppI18n, savedLocale } from '@shared/i18n.js'
import { useSessionKey } from '@shared/session.js'
import h5Messages from '@shared/messages/h5.js'
import messages from '@shared/messages/zzd.js'
import { createH5Router } from '../common/router.js'
import { useVantLocale } from '../common/vantLocale.js'
import App from './App.vue'
import { routes } from './routes.js'

useSessionKey('zzd')
useVantLocale(savedLocale())
createApp(App).use(Vant).use(createAppI18n(h5Messages, messages)).use(createH5Router('zzd', routes)).mount('#app')
