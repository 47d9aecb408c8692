// The three apps of the front end: where each one's index.html is, and the path the gateway
// serves it under (services/gateway/gateway/routes/web.py serves web/dist/<dir>/ at <base>).
export const APPS = [
  { name: 'console', dir: 'console', base: '/console/' },
  { name: 'zlb', dir: 'h5/zlb', base: '/h5/zlb/' },
  { name: 'zzd', dir: 'h5/zzd', base: '/h5/zzd/' },
]
