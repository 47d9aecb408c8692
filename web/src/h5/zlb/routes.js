// The pages of the zlb H5 app (hash routes under /h5/zlb/#/).
export const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue') },
  { path: '/', name: 'projects', component: () => import('./views/Projects.vue') },
  { path: '/checkin', name: 'checkin', component: () => import('./views/CheckIn.vue') },
  { path: '/month', name: 'month', component: () => import('./views/Month.vue') },
  { path: '/leave', name: 'leave', component: () => import('./views/Leave.vue') },
  { path: '/scores', name: 'scores', component: () => import('./views/Scores.vue') },
  { path: '/:unknown(.*)*', redirect: { name: 'projects' } },
]
