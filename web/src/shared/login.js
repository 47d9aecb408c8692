// Logging in: through the portal that opened the page (ZZD passes a one-time `auth_code` in the
// URL, ZLB a `ticket`), or, on a demo, the dev login as a seeded user (POST /auth/v1/dev/login).
// Routes: services/gateway/gateway/routes/auth.py.
import { request } from './api.js'
import { saveSession } from './session.js'

const PORTAL_CODE = { zzd: 'auth_code', zlb: 'ticket' }

// The one-time code the portal put in the page's URL (query or hash), if any.
export function portalCodeInUrl(portal, location = window.location) {
  const name = PORTAL_CODE[portal]
  const fromQuery = new URLSearchParams(location.search).get(name)
  if (fromQuery) return fromQuery
  const hashQuery = location.hash.includes('?') ? location.hash.slice(location.hash.indexOf('?') + 1) : ''
  return new URLSearchParams(hashQuery).get(name)
}

// Drops the used code from the address bar, so that a reload does not send it again.
function forgetPortalCode(portal) {
  const url = new URL(window.location.href)
  url.searchParams.delete(PORTAL_CODE[portal])
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
}

export async function portalLogin(portal, code) {
  const token = await request('POST', `/auth/v1/${portal}/login`, { json: { [PORTAL_CODE[portal]]: code }, anonymous: true })
  forgetPortalCode(portal)
  return saveSession(token)
}

// Logs in with the portal's code when the URL has one; null when it has none.
export async function loginFromUrl(portal) {
  const code = portalCodeInUrl(portal)
  return code ? portalLogin(portal, code) : null
}

export async function devLogin(userId) {
  const token = await request('POST', '/auth/v1/dev/login', { json: { user_id: userId }, anonymous: true })
  return saveSession(token)
}

// What the login page may offer: whether the dev login is on (a demo), from the gateway.
export async function loginOptions() {
  return request('GET', '/auth/v1/options', { anonymous: true })
}

// The demo district's users (README.md, "A walk through the assignment chain"), offered by the
// dev login page of each face.
export const DEMO_USERS = {
  zzd: [
    'demo-leading-group-chief', 'demo-housing-chief', 'demo-supervising-chief', 'demo-line-head',
    'demo-parks-line-head', 'demo-owner-chief', 'demo-owner-lead', 'demo-discipline-staff', 'demo-audit-staff',
  ],
  zlb: [
    'demo-project-manager', 'demo-contractor-chief', 'demo-technical-lead', 'demo-safety-officer',
    'demo-supervisor-chief', 'demo-chief-engineer', 'demo-specialist-engineer', 'demo-inspector',
    'demo-designer-chief',
  ],
}
