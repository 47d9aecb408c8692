// The gateway's error body {code, message, details} in words: what kind of error (translated by
// its code), the gateway's message, and each invalid field with its reason.
export function errorText(error, t) {
  if (!error) return ''
  const code = error.code || 'internal'
  const kind = t(`errors.${code}`) === `errors.${code}` ? t('errors.unknown') : t(`errors.${code}`)
  const fields = Array.isArray(error.details)
    ? error.details.filter((item) => item && item.field).map((item) => `${item.field}: ${item.reason}`)
    : []
  const message = error.message && error.message !== kind ? `${kind}：${error.message}` : kind
  // A field the message already names is not repeated.
  const more = fields.filter((field) => !message.includes(field))
  return more.length ? `${message}（${more.join('；')}）` : message
}
