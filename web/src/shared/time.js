// Dates and times as the district reads them: Asia/Shanghai, whatever the browser's zone.
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc.js'
import timezone from 'dayjs/plugin/timezone.js'
import 'dayjs/locale/zh-cn.js'

dayjs.extend(utc)
dayjs.extend(timezone)

export const DISTRICT_ZONE = 'Asia/Shanghai'

export function inDistrict(value) {
  return dayjs(value).tz(DISTRICT_ZONE)
}

export function formatDateTime(value) {
  return value ? inDistrict(value).format('YYYY-MM-DD HH:mm') : ''
}

export function formatDate(value) {
  if (!value) return ''
  // A plain date (2027-01-04) is already the district's day: no zone to apply.
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : inDistrict(value).format('YYYY-MM-DD')
}

export function formatTime(value) {
  return value ? inDistrict(value).format('HH:mm') : ''
}

// The district's current month, YYYY-MM (the attendance routes take ?month=).
export function districtMonth(value = undefined) {
  return inDistrict(value).format('YYYY-MM')
}

// An ISO 8601 instant with the district's offset (+08:00), as the API takes times.
export function districtIso(value = undefined) {
  return inDistrict(value).format('YYYY-MM-DDTHH:mm:ssZ')
}

export { dayjs }
