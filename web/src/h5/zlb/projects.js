// The projects of the caller's firm (GET /zlb/v1/me/projects), and the caller's own posts on each:
// a person checks in and asks for leave on the projects where they hold a key post (Art. 26).
import { allPages } from '@shared/api.js'
import { currentSession } from '@shared/session.js'

export const CHECKIN_STATUSES = ['in_construction', 'suspended']

export function myUserId() {
  return currentSession()?.principal?.user_id
}

export function myPosts(project, userId = myUserId()) {
  return project.personnel.filter((person) => person.user_id === userId).map((person) => person.post)
}

export function loadMyProjects() {
  return allPages('/zlb/v1/me/projects')
}

// The projects on which the caller holds a post and attendance is taken (a suspended one answers
// why not in words).
export async function projectsToCheckInOn() {
  const userId = myUserId()
  return (await loadMyProjects()).filter(
    (project) => CHECKIN_STATUSES.includes(project.status) && myPosts(project, userId).length > 0)
}
