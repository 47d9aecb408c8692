// The session of one app: the gateway's token and who it is for, kept in the tab's
// sessionStorage under the app's own key (a ZZD and a ZLB token are for different faces).
let storageKey = 'supervision.session'

export function useSessionKey(app) {
  storageKey = `supervision.${app}.session`
}

export function currentSession() {
  const stored = sessionStorage.getItem(storageKey)
  if (!stored) return null
  const session = JSON.parse(stored)
  if (session.expires_at && session.expires_at <= Date.now()) {
    sessionStorage.removeItem(storageKey)
    return null
  }
  return session
}

export function saveSession(token) {
  const session = {
    access_token: token.access_token,
    principal: token.principal,
    expires_at: Date.now() + token.expires_in * 1000,
  }
  sessionStorage.setItem(storageKey, JSON.stringify(session))
  return session
}

export function clearSession() {
  sessionStorage.removeItem(storageKey)
}
