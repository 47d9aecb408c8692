// Chinese first, with an English switch: one vue-i18n instance per app, its messages merged from
// messages/<part>.js (common, console, zlb, zzd), each exporting {zh, en}. The choice is kept in
// localStorage for every app of the platform.
import { createI18n } from 'vue-i18n'
import common from './messages/common.js'

const LOCALE_KEY = 'supervision.locale'
export const LOCALES = ['zh', 'en']

function merged(parts, locale) {
  return Object.assign({}, ...parts.map((part) => part[locale]))
}

export function savedLocale() {
  const saved = localStorage.getItem(LOCALE_KEY)
  return LOCALES.includes(saved) ? saved : 'zh'
}

export function createAppI18n(...parts) {
  const all = [common, ...parts]
  return createI18n({
    legacy: false,
    locale: savedLocale(),
    fallbackLocale: 'zh',
    messages: Object.fromEntries(LOCALES.map((locale) => [locale, merged(all, locale)])),
    missingWarn: false,
    fallbackWarn: false,
  })
}

// `current` is the locale ref of useI18n() (the app's global composer).
export function switchLocale(current, locale) {
  current.value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en'
}
