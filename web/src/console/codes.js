// The codes the console offers in its filters and forms, as the API names them.
export const STATUSES = ['awarded', 'in_construction', 'completion_acceptance', 'final_acceptance', 'settlement_audit',
  'funds_paid', 'deposit_returned', 'suspended', 'terminated']
// The lifecycle of Art. 25 in its order (suspended and terminated stand beside it).
export const LIFECYCLE = STATUSES.slice(0, 7)
export const INDUSTRIES = ['housing', 'municipal', 'landscaping', 'transport', 'water', 'agriculture', 'other']
export const CASE_STATUSES = ['received', 'triaged', 'dispatched', 'accepted', 'handled', 'reported', 'returned',
  'escalated', 'not_ours', 'closed']
export const FINDINGS = ['substantiated', 'unsubstantiated', 'withdrawn']
export const CATEGORIES = ['quality', 'safety', 'attendance', 'wages', 'environment', 'contract', 'discipline', 'other']
// The steps a case may take in each status (the complaints service decides whether it is the
// user's to take: 403, or 409 when the state forbids it).
export const STEPS_BY_STATUS = {
  received: ['triage'],
  triaged: ['dispatch', 'accept'],
  dispatched: ['accept', 'dispatch', 'not-ours', 'escalate'],
  escalated: ['accept', 'dispatch', 'escalate'],
  not_ours: ['accept', 'dispatch', 'escalate'],
  accepted: ['handle', 'dispatch', 'escalate'],
  handled: ['report', 'handle', 'escalate'],
  returned: ['handle', 'escalate'],
  reported: ['verify', 'return'],
  closed: [],
}
