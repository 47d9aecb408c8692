// What waits for a ZZD user: the approvals (GET /zzd/v1/me/leave-requests and /zzd/v1/me/changes,
// routes/my_tasks.py), the reviews (objections pending, for an industry authority) and the open
// cases held by the user's units; with the names of the projects and people they are about.
import { allPages, api } from '@shared/api.js'
import { currentSession } from '@shared/session.js'

export function myUserId() {
  return currentSession()?.principal?.user_id
}

// Projects by id, each read once per page: their names and the names of their key people.
export function projectBook() {
  const loaded = new Map()
  return {
    get(projectId) {
      if (!loaded.has(projectId)) {
        loaded.set(projectId, api.get(`/zzd/v1/projects/${projectId}`).catch(() => null))
      }
      return loaded.get(projectId)
    },
  }
}

export function personName(project, userId) {
  return project?.personnel.find((person) => person.user_id === userId)?.name || userId
}

export async function myUnitIds() {
  const me = await api.get(`/zzd/v1/users/${myUserId()}`)
  return [...new Set(me.posts.map((held) => held.unit_id))]
}

// Every open case each unit holds: the gateway filters out the closed ones and pages the rest.
export async function openCasesOfMyUnits() {
  const held = await Promise.all((await myUnitIds()).map(
    (unitId) => allPages('/zzd/v1/cases', { unit_id: unitId, open: 'true' }, 200)))
  const seen = new Set()
  return held.flat().filter((found) => !seen.has(found.id) && seen.add(found.id))
}
