// Logging in: through the portal that opened the page (ZZD passes a one-time `auth_code` in the
// URL, ZLB a `ticket`), or, on a demo, the dev login as a seeded user (POST /auth/v1/dev/login).
// Routes: services/gateway/gateway/routes/auth.py.
import { request } from './api.js'
import { saveSession } from './session.js'

// The name of the one-time code each portal puts in the URL.
export const PORTAL_CODE = { zzd: 'auth_code', zlb: 'ticket' }

// A hash route and its own query: '#/tasks?auth_code=x' → ['#/tasks', URLSearchParams('auth_code=x')].
function hashRoute(hash) {
  const at = hash.indexOf('?')
  return at < 0 ? [hash, new URLSearchParams()] : [hash.slice(0, at), new URLSearchParams(hash.slice(at + 1))]
}

// The one-time code the portal put in the page's URL (query or hash), if any.
export function portalCodeInUrl(portal, location = window.location) {
  const name = PORTAL_CODE[portal]
  return new URLSearchParams(location.search).get(name) || hashRoute(location.hash)[1].get(name)
}

// Drops the used code from the address bar, from the query and from the hash route's query
// (the H5 pages route in the hash), so that a reload does not send it again.
function forgetPortalCode(portal) {
  const name = PORTAL_CODE[portal]
  const url = new URL(window.location.href)
  url.searchParams.delete(name)
  const [route, hashQuery] = hashRoute(url.hash)
  hashQuery.delete(name)
  const hash = hashQuery.toString() ? `${route}?${hashQuery}` : route
  window.history.replaceState(window.history.state, '', url.pathname + url.search + hash)
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
