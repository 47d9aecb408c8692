// The zzd H5 app (mounted at /h5/zzd/).
import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import { createAppI18n } from '@shared/i18n.js'
import { useSessionKey } from '@shared/session.js'
import messages from '@shared/messages/zzd.js'
import App from './App.vue'

useSessionKey('zzd')
createApp(App).use(Vant).use(createAppI18n(messages)).mount('#app')
