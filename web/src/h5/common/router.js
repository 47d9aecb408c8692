// The router of an H5 app: hash history (a portal's web view opens one URL; nothing on the server
// has to know the pages), every page but the login behind a session. A page opened by the portal
// with a one-time code logs in with it, even over an older session in the tab.
import { createRouter, createWebHashHistory } from 'vue-router'
import { currentSession } from '@shared/session.js'
import { whenUnauthenticated } from '@shared/api.js'
import { PORTAL_CODE, portalCodeInUrl } from '@shared/login.js'

export function createH5Router(portal, routes) {
  const router = createRouter({ history: createWebHashHistory(), routes })
  router.beforeEach((to) => {
    if (to.name === 'login') return true
    if (!currentSession() || portalCodeInUrl(portal)) {
      // A code in the hash route goes to the login page as it is, never inside `next`: the login
      // finds it there, uses it once and drops it from the address bar.
      const { [PORTAL_CODE[portal]]: code, ...query } = to.query
      const next = router.resolve({ path: to.path, query }).fullPath
      return { name: 'login', query: code ? { next, [PORTAL_CODE[portal]]: code } : { next } }
    }
    return true
  })
  whenUnauthenticated(() => {
    if (router.currentRoute.value.name !== 'login') {
      router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath, expired: '1' } })
    }
  })
  return router
}
