// What the H5 pages ask of the phone: its positions (the browser's geolocation), a stable id of
// the phone for the check-in's device binding, and a fresh id for each request that may be retried.

const DEVICE_KEY = 'supervision.h5.device'

// A random hex id; crypto.getRandomValues also works where crypto.randomUUID does not (plain http).
export function randomId(bytes = 16) {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(values, (value) => value.toString(16).padStart(2, '0')).join('')
}

// The phone's id, made once and kept: the attendance service binds a person's first phone and
// flags check-ins from another (Art. 26, 47).
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY)
  if (!id) {
    id = `h5-${randomId()}`
    localStorage.setItem(DEVICE_KEY, id)
  }
  return id
}

export function devicePlatform(userAgent = navigator.userAgent) {
  if (/HarmonyOS|OpenHarmony/i.test(userAgent)) return 'harmonyos'
  if (/Android/i.test(userAgent)) return 'android'
  if (/iPhone|iPad|iPod/i.test(userAgent)) return 'ios'
  return 'other'
}

// The device block of a check-in. A web page cannot see whether the OS simulates positions (the
// portals' native bridges can): it reports false, and the server's own signals (impossible
// travel, repeated coordinates, clock skew, shared or unbound phones) still apply.
export function device() {
  return { id: deviceId(), platform: devicePlatform(), mock_location: false }
}

export class PositionError extends Error {
  // kind: denied | unavailable | timeout | unsupported — translated by the page (h5.position.*).
  constructor(kind, message) {
    super(message)
    this.kind = kind
  }
}

const KIND_OF_CODE = { 1: 'denied', 2: 'unavailable', 3: 'timeout' }

function positionError(failure) {
  return new PositionError(KIND_OF_CODE[failure.code] || 'unavailable', failure.message)
}

// A fix the API takes: accuracy in metres, > 0 (a browser may claim 0, which no fix achieves).
function fixOf(position) {
  const { latitude, longitude, accuracy } = position.coords
  return { lat: latitude, lng: longitude, accuracy_m: Math.max(1, Math.round(accuracy || 0)), at: position.timestamp }
}

// One fresh position of the phone.
export function currentPosition({ timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new PositionError('unsupported', 'no geolocation in this browser'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(fixOf(position)),
      (failure) => reject(positionError(failure)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    )
  })
}

// Follows the phone's positions until the returned function is called.
export function watchPositions(onFix, onError) {
  if (!navigator.geolocation) {
    onError(new PositionError('unsupported', 'no geolocation in this browser'))
    return () => {}
  }
  const id = navigator.geolocation.watchPosition(
    (position) => onFix(fixOf(position)),
    (failure) => onError(positionError(failure)),
    { enableHighAccuracy: true, maximumAge: 0 },
  )
  return () => navigator.geolocation.clearWatch(id)
}
