// The zlb H5 app (mounted at /h5/zlb/).
import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import { createAppI18n } from '@shared/i18n.js'
import { useSessionKey } from '@shared/session.js'
import messages from '@shared/messages/zlb.js'
import App from './App.vue'

useSessionKey('zlb')
createApp(App).use(Vant).use(createAppI18n(messages)).mount('#app')
