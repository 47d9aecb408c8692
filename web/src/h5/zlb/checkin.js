// A check-in sent and its answer, as the intake answers it (services/gateway/gateway/routes/
// attendance.py): 200 with the decision when it came within `wait_ms`, or 202 with the check-in's
// id and status_url once the broker holds it — then the status is asked for every 300 ms for a
// few seconds, and, if it is still pending, the page follows it more slowly (FOLLOW_*). The
// decision in words covers every rejection reason and risk flag of
// services/attendance/attendance/domain/checkins.py (Reason, RiskSignal).
import { api, requestWithStatus } from '@shared/api.js'
import { districtIso } from '@shared/time.js'
import { device, randomId } from '../common/phone.js'

export const WAIT_MS = 1000
const POLL_EVERY_MS = 300
const POLL_FOR_MS = 5000
export const FOLLOW_EVERY_MS = 2000
export const FOLLOW_FOR_MS = 120000

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// The body of one check-in attempt; a retry sends the same body (same client_request_id), so the
// platform records it once.
export function checkinBody(projectId, fix) {
  return {
    project_id: projectId, lat: fix.lat, lng: fix.lng, accuracy_m: fix.accuracy_m,
    client_time: districtIso(), client_request_id: randomId(), device: device(),
  }
}

// The status of a check-in: `status` where the intake gives it, else its outcome (the answer
// before the asynchronous intake).
export function statusOf(answer) {
  return answer.status || answer.outcome || 'pending'
}

// Asks for the check-in's status until it is decided, `forMs` have passed or `stillWanted()` is
// false (the page was left); answers the last status seen.
export async function pollCheckin(statusUrl, { everyMs = POLL_EVERY_MS, forMs = POLL_FOR_MS,
  stillWanted = () => true } = {}) {
  // Counted in polls, not by the clock: a page's clock may stand still (a test's, a paused tab).
  let answer = { status: 'pending' }
  for (let polls = Math.ceil(forMs / everyMs); polls > 0 && stillWanted(); polls -= 1) {
    await sleep(everyMs)
    answer = await api.get(statusUrl)
    if (statusOf(answer) !== 'pending') return answer
  }
  return answer
}

// Sends one check-in: {answer, statusUrl}, the answer a decision or, after a few seconds of
// polling, still pending (then statusUrl is where to follow it).
export async function sendCheckin(body, onPending = () => {}) {
  const sent = await requestWithStatus('POST', '/zlb/v1/checkins', { json: body, params: { wait_ms: WAIT_MS } })
  if (sent.status !== 202) return { answer: sent.body, statusUrl: null }
  onPending(sent.body)
  const statusUrl = sent.body.status_url || `/zlb/v1/checkins/${sent.body.id}`
  return { answer: await pollCheckin(statusUrl), statusUrl }
}

// {status, title, lines} of a decision, in the app's words.
export function decisionInWords(decision, t, accuracyM = null) {
  const status = statusOf(decision)
  const lines = []
  if (status === 'rejected') {
    const metres = Math.round(decision.distance_outside_m || 0)
    if (decision.reason === 'outside_site' && metres > 0) {
      lines.push(t('zlb.reason.outside_site_distance', { m: metres }))
    } else if (decision.reason === 'accuracy_too_low') {
      lines.push(t('zlb.reason.accuracy_too_low', { m: accuracyM ?? '?' }))
    } else if (decision.reason) {
      lines.push(t(`zlb.reason.${decision.reason}`))
    }
  }
  for (const flag of decision.flags || []) lines.push(t(`zlb.flag.${flag}`))
  return { status, title: t(`zlb.outcome.${status}`), hint: t(`zlb.outcomeHint.${status}`), lines }
}
