// The words of the zlb H5 app (web/src/h5/zlb): enterprise people on 浙里办 — my projects, check in,
// my month, leave, my scores and objections. Every reason code of a check-in's rejection and every
// risk flag (services/attendance/attendance/domain/checkins.py: Reason, RiskSignal) has its words.
export default {
  zh: {
    zlb: {
      title: '浙里办 · 企业端',
      tabs: { projects: '我的项目', checkin: '打卡', month: '我的考勤', scores: '我的评分' },
      projects: {
        title: '我的项目', empty: '您的单位尚未参与任何项目', myPost: '我的岗位', checkIn: '打卡', leave: '请假',
        planned: '计划工期',
      },
      checkin: {
        title: '现场打卡', project: '项目', chooseProject: '选择项目', noProject: '没有在建的项目可打卡',
        submit: '获取位置并打卡', locating: '正在获取位置…', sending: '正在提交…', waiting: '正在等待结果…',
        position: '位置', accuracy: '精度约 {m} 米', recordedAt: '记录时间', again: '再打一次', retry: '重新提交',
        serverTime: '以平台时间为准，手机时间仅作比对',
      },
      outcome: {
        accepted: '打卡成功', flagged: '打卡已记录，但被标记为可疑', rejected: '打卡未成功',
        pending: '打卡已提交，结果稍后可在“我的考勤”中查看',
      },
      outcomeHint: {
        accepted: '您在项目场地范围内，本次打卡计入考勤。',
        flagged: '本次打卡计入考勤，但业主将核查以下情况（第四十七条）：',
        rejected: '原因：',
        pending: '平台已收到您的打卡，正在判定。',
      },
      reason: {
        not_on_roster: '您今天不在本项目的考勤名单上（关键岗位人员在岗期间打卡；技术负责人、专业监理工程师按业主设定的阶段打卡）',
        project_suspended: '项目停工中，停工期间无需打卡（第三十五条）',
        project_not_in_construction: '项目不在施工阶段，此时不考勤',
        accuracy_too_low: '定位精度不够（误差约 {m} 米），无法证明您在现场：请到开阔处、打开GPS后重试',
        outside_site: '您不在项目场地范围内',
        outside_site_distance: '您不在项目场地范围内（距场地边界约 {m} 米）',
        too_soon: '您刚刚已打过卡，请稍后再打',
        suspected_spoofing: '检测到模拟定位或异常设备的迹象，本项目业主设定为拦截',
      },
      flag: {
        mock_location: '手机报告正在使用模拟定位',
        unbound_device: '不是您绑定的手机（更换手机须经业主同意）',
        shared_device: '这部手机近期被他人用于打卡',
        impossible_travel: '与上次打卡的位置相距太远、间隔太短，不可能到达',
        clock_skew: '手机时间与平台时间相差过大',
        repeated_coordinates: '坐标与上次打卡完全相同',
      },
      month: {
        title: '我的考勤', empty: '本月没有您需要考勤的项目', validDays: '有效出勤', constructionDays: '施工天数',
        rate: '出勤率', noRate: '—', threshold: '要求', meets: '达标', below: '未达标', leaveDays: '请假',
        missing: '连续缺勤', missingRange: '{start} 至 {end}（{days} 天）', flagged: '可疑打卡',
        checkins: '本月打卡记录', days: '{n} 天', askLeave: '请假',
      },
      leave: {
        title: '请假申请', project: '项目', start: '开始日期', end: '结束日期', reason: '事由',
        reasonPlaceholder: '请写明请假事由', documents: '证明材料', submit: '提交申请', submitted: '已提交，等待业主审批',
        inAdvance: '请假须提前申请，最早从明天开始（第二十六条）', status: '状态',
        statuses: { pending: '待审批', approved: '已批准', refused: '未批准' },
      },
      scores: {
        title: '我的评分', year: '年度', empty: '本年度暂无评分', composite: '综合得分', projects: '{n} 个项目',
        ledger: '扣分与加回记录', noLedger: '暂无记录', points: '分值', object: '提出异议', objected: '已提出异议',
        capped: '已封顶', restored: '已加回',
        kinds: { firm: '单位', person: '个人', owner: '建设单位', authority: '主管部门' },
        colours: { green: '绿码', blue: '蓝码', yellow: '黄码', orange: '橙码', red: '红码' },
        sources: { warning: '预警', case: '案件', objection: '异议' },
      },
      objection: {
        title: '提出异议', reasons: '异议理由', reasonsPlaceholder: '请写明理由，可附证明材料', files: '证明材料',
        submit: '提交异议', submitted: '异议已提交，由行业主管部门处理（第三十七条）',
        statuses: { pending: '处理中', upheld: '异议成立，分值已加回', dismissed: '异议未成立' },
        note: '处理意见',
      },
    },
  },
  en: {
    zlb: {
      title: 'ZLB · enterprise',
      tabs: { projects: 'My projects', checkin: 'Check in', month: 'My month', scores: 'My scores' },
      projects: {
        title: 'My projects', empty: 'Your firm takes part in no project yet', myPost: 'My post', checkIn: 'Check in',
        leave: 'Leave', planned: 'Planned',
      },
      checkin: {
        title: 'Check in on site', project: 'Project', chooseProject: 'Choose a project',
        noProject: 'No project under construction to check in on', submit: 'Find my position and check in',
        locating: 'Finding your position…', sending: 'Sending…', waiting: 'Waiting for the answer…',
        position: 'Position', accuracy: 'within about {m} m', recordedAt: 'Recorded at', again: 'Check in again',
        retry: 'Send again', serverTime: 'The platform\'s clock decides; the phone\'s is only compared with it',
      },
      outcome: {
        accepted: 'Checked in', flagged: 'Checked in, but flagged as suspect', rejected: 'Check-in refused',
        pending: 'Check-in sent; its answer will show in My month',
      },
      outcomeHint: {
        accepted: 'You are on the site; this check-in counts.',
        flagged: 'This check-in counts, but the owner will look into (Art. 47):',
        rejected: 'Why:',
        pending: 'The platform has your check-in and is deciding it.',
      },
      reason: {
        not_on_roster: 'You are not on this project\'s attendance roster today (key people check in while in post; '
          + 'the technical lead and the specialist engineer in the phases the owner set)',
        project_suspended: 'The project is suspended: no check-in while it is (Art. 35)',
        project_not_in_construction: 'The project is not under construction: no attendance now',
        accuracy_too_low: 'The position is too rough (about {m} m) to show you are on site: go into the open, turn GPS '
          + 'on and try again',
        outside_site: 'You are outside the project\'s site',
        outside_site_distance: 'You are outside the project\'s site (about {m} m beyond its boundary)',
        too_soon: 'You checked in a moment ago; try again later',
        suspected_spoofing: 'Signs of a simulated position or a suspect phone; the owner blocks such check-ins',
      },
      flag: {
        mock_location: 'The phone reports a simulated location',
        unbound_device: 'Not the phone bound to you (a new phone needs the owner\'s approval)',
        shared_device: 'Someone else checked in with this phone recently',
        impossible_travel: 'Too far from your last check-in for the time between them',
        clock_skew: 'The phone\'s clock is far from the platform\'s',
        repeated_coordinates: 'Exactly the same coordinates as your last check-in',
      },
      month: {
        title: 'My month', empty: 'No project of yours with attendance this month', validDays: 'Valid days',
        constructionDays: 'Construction days', rate: 'Rate', noRate: '—', threshold: 'Required', meets: 'Met',
        below: 'Below', leaveDays: 'Leave', missing: 'Missed in a row', missingRange: '{start} to {end} ({days} days)',
        flagged: 'Flagged check-ins', checkins: 'Check-ins this month', days: '{n} days', askLeave: 'Ask for leave',
      },
      leave: {
        title: 'Ask for leave', project: 'Project', start: 'From', end: 'To', reason: 'Reason',
        reasonPlaceholder: 'Why you ask for leave', documents: 'Documents', submit: 'Send',
        submitted: 'Sent; the owner decides it', inAdvance: 'Leave is asked in advance: from tomorrow at the earliest '
          + '(Art. 26)', status: 'Status',
        statuses: { pending: 'Pending', approved: 'Approved', refused: 'Refused' },
      },
      scores: {
        title: 'My scores', year: 'Year', empty: 'No score this year', composite: 'Composite',
        projects: '{n} projects', ledger: 'Deductions and restorations', noLedger: 'Nothing recorded',
        points: 'Points', object: 'Object', objected: 'Objection filed', capped: 'Capped', restored: 'Restored',
        kinds: { firm: 'Firm', person: 'Person', owner: 'Owner', authority: 'Authority' },
        colours: { green: 'Green', blue: 'Blue', yellow: 'Yellow', orange: 'Orange', red: 'Red' },
        sources: { warning: 'Warning', case: 'Case', objection: 'Objection' },
      },
      objection: {
        title: 'Object to a deduction', reasons: 'Reasons', reasonsPlaceholder: 'Your reasons; add documents if any',
        files: 'Documents', submit: 'File the objection',
        submitted: 'Objection filed; the industry authority decides it (Art. 37)',
        statuses: { pending: 'Being decided', upheld: 'Upheld: the points were restored', dismissed: 'Dismissed' },
        note: 'Decision',
      },
    },
  },
}
