// The gateway's HTTP API as the apps call it: the bearer token of the session, JSON in and out,
// and every error as an ApiError carrying the gateway's error body {code, message, details}.
import { clearSession, currentSession } from './session.js'

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

// Called when the gateway answers 401 (no, bad or expired token): the app goes back to its login.
let onUnauthenticated = () => {}
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler
}

function query(params) {
  const pairs = Object.entries(params || {}).filter(([, value]) => value !== undefined && value !== null && value !== '')
  return pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''
}

async function errorOf(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const error = body && body.error
  if (error && error.code) return new ApiError(response.status, error.code, error.message, error.details)
  return new ApiError(response.status, 'http_' + response.status, response.statusText || `HTTP ${response.status}`, null)
}

export async function request(method, path, { params, json, form, headers, anonymous } = {}) {
  const session = currentSession()
  const sent = { ...(headers || {}) }
  if (session && !anonymous) sent.Authorization = `Bearer ${session.access_token}`
  let body
  if (json !== undefined) {
    sent['Content-Type'] = 'application/json'
    body = JSON.stringify(json)
  } else if (form !== undefined) {
    body = form
  }
  let response
  try {
    response = await fetch(path + query(params), { method, headers: sent, body })
  } catch (failure) {
    throw new ApiError(0, 'network', String(failure.message || failure), null)
  }
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401 && !anonymous) {
      clearSession()
      onUnauthenticated(error)
    }
    throw error
  }
  response.headersSeen = response.headers
  if (response.status === 204) return null
  const type = response.headers.get('content-type') || ''
  return type.includes('application/json') ? response.json() : response.blob()
}

// The answer with its status and headers, for the routes whose status means something (202).
export async function requestWithStatus(method, path, options = {}) {
  const session = currentSession()
  const headers = { 'Content-Type': 'application/json', ...(options.headers || {}) }
  if (session) headers.Authorization = `Bearer ${session.access_token}`
  const response = await fetch(path + query(options.params), {
    method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json),
  })
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401) {
      clearSession()
      onUnauthenticated(error)
    }
    throw error
  }
  return { status: response.status, headers: response.headers, body: await response.json() }
}

export const api = {
  get: (path, params, options) => request('GET', path, { ...options, params }),
  post: (path, json, options) => request('POST', path, { ...options, json }),
  put: (path, json, options) => request('PUT', path, { ...options, json }),
  // One file to /zzd/v1/files or /zlb/v1/files: the gateway answers its id.
  upload: (path, file) => {
    const form = new FormData()
    form.append('file', file)
    return request('POST', path, { form })
  },
}

// Every page of a list route: the gateway pages lists by `limit` and `offset` (PAGED in its docs).
export async function allPages(path, params = {}, pageSize = 200) {
  const rows = []
  for (let offset = 0; ; offset += pageSize) {
    const page = await api.get(path, { ...params, limit: pageSize, offset })
    rows.push(...page)
    if (page.length < pageSize) return rows
  }
}
