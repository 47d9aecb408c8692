// The console's pages; every page but the login needs a session (of the ZZD face).
import { createRouter, createWebHistory } from 'vue-router'
import { currentSession } from '@shared/session.js'

export function createConsoleRouter() {
  const router = createRouter({
    history: createWebHistory('/console/'),
    routes: [
      { path: '/login', name: 'login', component: () => import('./views/Login.vue') },
      {
        path: '/',
        component: () => import('./views/Layout.vue'),
        children: [
          { path: '', name: 'home', component: () => import('./views/Home.vue') },
          { path: 'map', name: 'map', component: () => import('./views/MapView.vue') },
          { path: 'projects', name: 'projects', component: () => import('./views/Projects.vue') },
          { path: 'projects/:id', name: 'project', component: () => import('./views/Project.vue') },
          { path: 'cases', name: 'cases', component: () => import('./views/Cases.vue') },
          { path: 'scores', name: 'scores', component: () => import('./views/Scores.vue') },
          { path: 'back-office', name: 'backOffice', component: () => import('./views/BackOffice.vue') },
        ],
      },
      { path: '/:unknown(.*)*', redirect: { name: 'home' } },
    ],
  })
  router.beforeEach((to) => {
    // The portal's one-time code, if the page was opened with one, goes along to the login page.
    if (to.name !== 'login' && !currentSession()) return { name: 'login', query: { ...to.query, next: to.path } }
    return true
  })
  return router
}
