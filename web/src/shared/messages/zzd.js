// The words of the zzd H5 app (web/src/h5/zzd): government staff on 浙政钉 — my tasks (approvals,
// reviews, cases held by my units), deciding a leave or a change, and a patrol track.
export default {
  zh: {
    zzd: {
      title: '浙政钉 · 政府端',
      tabs: { tasks: '我的待办', patrol: '巡查' },
      tasks: {
        approvals: '审批', reviews: '复核', cases: '案件', empty: '暂无待办', leave: '请假申请', change: '变更申请',
        objection: '评分异议', requestedAt: '申请时间', raisedAt: '提出时间', filedAt: '提出时间',
        noRight: '（您不负责此类事项）',
      },
      leave: {
        title: '审批请假', person: '申请人', project: '项目', dates: '请假日期', reason: '事由', documents: '证明材料',
        note: '审批意见', notePlaceholder: '不批准时请写明理由', form: '审批表',
        formHint: '批准须上传签署的审批表（第二十六条）', approve: '批准', refuse: '不批准', decided: '已审批',
        missing: '该请假申请已处理或不在您的范围内',
        statuses: { pending: '待审批', approved: '已批准', refused: '未批准' },
      },
      change: {
        title: '审批变更', engineering: '工程变更', personnel: '人员变更', project: '项目', description: '变更内容',
        reason: '变更理由', part: '变更部位', planned: '计划实施日期', post: '岗位', replaced: '被更换人',
        replacement: '拟更换为', path: '审批流程', open: '待办环节', taken: '已办环节', forIllness: '因病更换',
        note: '审批意见', notePlaceholder: '不同意时请写明理由', approve: '同意', refuse: '不同意', decided: '已审批',
        touchesConcealed: '涉及隐蔽工程',
        steps: {
          owner_decision: '建设单位审批', owner_agreement: '建设单位同意', supervising_unit_agreement: '监管单位同意',
          industry_review: '行业主管部门审核', industry_filing: '行业主管部门备案', concealed_works_rule: '平台规则',
        },
        decisions: { approve: '同意', refuse: '不同意' },
      },
      objection: {
        title: '处理评分异议', reasons: '异议理由', upheld: '异议成立（加回分值）', dismissed: '异议不成立',
        note: '处理意见', notePlaceholder: '请写明处理意见', submit: '提交', decided: '已处理',
      },
      cases: {
        holder: '承办单位', due: '办理期限', overdue: '已超期', accept: '接收', accepted: '已接收', text: '说明',
        kinds: { warning: '预警', complaint: '投诉', clue: '问题线索' },
        statuses: {
          received: '已受理', triaged: '已分类', dispatched: '已交办', accepted: '已接收', handled: '已处理',
          reported: '已上报', returned: '已退回', escalated: '已提级', not_ours: '非本单位', closed: '已办结',
        },
      },
      patrol: {
        title: '巡查轨迹', project: '项目', noProject: '没有您负责巡查的在建项目', start: '开始巡查', stop: '结束并提交',
        recording: '正在记录位置…', points: '已记录 {n} 个位置', duration: '已巡查 {min} 分钟', submitted: '巡查已提交',
        valid: '巡查有效', invalid: '巡查无效', onSite: '场地内位置 {n} 个', minutes: '时长 {min} 分钟',
        discard: '放弃',
        reasons: {
          too_few_points: '记录的位置太少', not_in_time_order: '位置的时间顺序不对',
          off_site: '位置不在项目场地内', too_short: '巡查时间不够',
        },
        hint: '请在项目现场开始巡查，保持本页打开，巡查结束后提交（第二十六条）。',
      },
    },
  },
  en: {
    zzd: {
      title: 'ZZD · government',
      tabs: { tasks: 'My tasks', patrol: 'Patrol' },
      tasks: {
        approvals: 'Approvals', reviews: 'Reviews', cases: 'Cases', empty: 'Nothing waits for you',
        leave: 'Leave request', change: 'Change request', objection: 'Score objection', requestedAt: 'Asked',
        raisedAt: 'Raised', filedAt: 'Filed', noRight: '(not yours to decide)',
      },
      leave: {
        title: 'Decide leave', person: 'Asked by', project: 'Project', dates: 'Dates', reason: 'Reason',
        documents: 'Documents', note: 'Note', notePlaceholder: 'Give the reason of a refusal', form: 'Approval form',
        formHint: 'An approval carries the signed approval form (Art. 26)', approve: 'Approve', refuse: 'Refuse',
        decided: 'Decided', missing: 'This leave request was decided or is not yours',
        statuses: { pending: 'Pending', approved: 'Approved', refused: 'Refused' },
      },
      change: {
        title: 'Decide a change', engineering: 'Engineering change', personnel: 'Personnel change', project: 'Project',
        description: 'Change', reason: 'Reason', part: 'Part', planned: 'Planned for', post: 'Post',
        replaced: 'Replaced', replacement: 'Replacement', path: 'Approval path', open: 'Open steps',
        taken: 'Steps taken', forIllness: 'For illness', note: 'Note', notePlaceholder: 'Give the reason of a refusal',
        approve: 'Agree', refuse: 'Refuse', decided: 'Decided', touchesConcealed: 'Touches concealed works',
        steps: {
          owner_decision: 'Owner\'s decision', owner_agreement: 'Owner agrees',
          supervising_unit_agreement: 'Supervising unit agrees', industry_review: 'Industry authority reviews',
          industry_filing: 'Industry authority files', concealed_works_rule: 'Platform rule',
        },
        decisions: { approve: 'Agreed', refuse: 'Refused' },
      },
      objection: {
        title: 'Decide an objection', reasons: 'Reasons', upheld: 'Upheld (the points come back)',
        dismissed: 'Dismissed', note: 'Note', notePlaceholder: 'Your decision\'s grounds', submit: 'Submit',
        decided: 'Decided',
      },
      cases: {
        holder: 'Held by', due: 'Due', overdue: 'Overdue', accept: 'Accept', accepted: 'Accepted', text: 'Note',
        kinds: { warning: 'Warning', complaint: 'Complaint', clue: 'Clue' },
        statuses: {
          received: 'Received', triaged: 'Triaged', dispatched: 'Dispatched', accepted: 'Accepted', handled: 'Handled',
          reported: 'Reported', returned: 'Returned', escalated: 'Escalated', not_ours: 'Not ours', closed: 'Closed',
        },
      },
      patrol: {
        title: 'Patrol track', project: 'Project', noProject: 'No project under construction for you to patrol',
        start: 'Start the patrol', stop: 'Stop and send', recording: 'Recording positions…',
        points: '{n} positions recorded', duration: '{min} minutes so far', submitted: 'Patrol sent',
        valid: 'Valid patrol', invalid: 'Patrol not valid', onSite: '{n} positions on site', minutes: '{min} minutes',
        discard: 'Discard',
        reasons: {
          too_few_points: 'Too few positions', not_in_time_order: 'Positions out of time order',
          off_site: 'Positions off the site', too_short: 'Too short',
        },
        hint: 'Start on the site, keep this page open, and send when the patrol is over (Art. 26).',
      },
    },
  },
}
