// Vant's own words (calendar, dialog buttons) follow the app's language.
import { Locale } from 'vant'
import enUS from 'vant/es/locale/lang/en-US'
import zhCN from 'vant/es/locale/lang/zh-CN'

export function useVantLocale(locale) {
  if (locale === 'en') Locale.use('en-US', enUS)
  else Locale.use('zh-CN', zhCN)
}
