// What several pages load: the caller's own units (the case desk), unit names (a project's chain),
// and a page's loading and error state.
import { ref } from 'vue'
import { allPages, api } from '@shared/api.js'
import { currentSession } from '@shared/session.js'

// { data, error, loading, reload }: `reload()` runs the loader again; an error is the ApiError.
export function useLoad(loader) {
  const data = ref(null)
  const error = ref(null)
  const loading = ref(false)
  async function reload() {
    loading.value = true
    error.value = null
    try {
      data.value = await loader()
    } catch (failure) {
      error.value = failure
    } finally {
      loading.value = false
    }
  }
  reload()
  return { data, error, loading, reload }
}

let myUser = null
// The logged-in user with the posts they hold (GET /zzd/v1/users/{id}).
export async function me() {
  const userId = currentSession()?.principal?.user_id
  if (!myUser || myUser.id !== userId) myUser = await api.get(`/zzd/v1/users/${encodeURIComponent(userId)}`)
  return myUser
}

let unitNames = null
// Unit id → name, of the units the caller may list; an unknown id is shown as it is.
export async function unitNameMap() {
  if (!unitNames) {
    try {
      unitNames = Object.fromEntries((await allPages('/zzd/v1/units', {}, 200)).map((unit) => [unit.id, unit.name]))
    } catch {
      unitNames = {}
    }
  }
  return unitNames
}

// The platform's date in the district (its clock may be a demo's manual one, not the browser's),
// asked each time: the back office may set the clock while the page is open.
export async function platformToday() {
  return (await api.get('/zzd/v1/stats/today')).day
}
