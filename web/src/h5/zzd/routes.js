// The pages of the zzd H5 app (hash routes under /h5/zzd/#/).
export const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue') },
  { path: '/', name: 'tasks', component: () => import('./views/Tasks.vue') },
  { path: '/leave/:projectId/:leaveId', name: 'leave', component: () => import('./views/LeaveDecision.vue') },
  { path: '/change/:changeId', name: 'change', component: () => import('./views/ChangeDecision.vue') },
  { path: '/patrol', name: 'patrol', component: () => import('./views/Patrol.vue') },
  { path: '/:unknown(.*)*', redirect: { name: 'tasks' } },
]
