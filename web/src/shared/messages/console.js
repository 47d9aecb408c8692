// The words of the district console (web/src/console).
export default {
  zh: {
    console: {
      title: '监管控制台',
      menu: { home: '首页', map: '项目地图', projects: '项目', cases: '案件办理', scores: '企业评分', backOffice: '后台管理' },
      home: {
        title: '全区概况', projects: '项目（按状态、行业）', attendance: '今日到岗（到岗 / 应到）', expected: '应到',
        onSite: '到岗', warnings: '本周预警（按规则）', warningsCount: '预警数', cases: '在办案件（按层级；在办 / 超期）',
        open: '在办', overdue: '超期', colours: '{year} 年企业五色分布',
      },
      level: {
        leading_group: '领导小组', industry_authority: '行业主管部门', supervising_unit: '监管单位', line: '条线',
        owner: '建设单位', owner_project_lead: '建设单位项目负责人', contractor: '施工单位', supervisor: '监理单位',
        designer: '设计单位', surveyor: '勘察单位', cost_consultant: '造价咨询', tester: '检测单位', tender_agent: '招标代理',
        discipline: '纪检监察', audit: '审计', none: '未分派',
      },
      colour: { green: '绿', blue: '蓝', yellow: '黄', orange: '橙', red: '红' },
      map: {
        title: '项目地图', none: '无在办预警', few: '1–2 条在办预警', many: '3 条及以上在办预警', openWarnings: '{count} 条在办预警',
      },
      projects: {
        title: '项目', status: '状态', industry: '行业', name: '项目名称', planned: '计划工期', amount: '合同金额（元）',
      },
      project: {
        overview: '概况', kind: '项目类型', started: '开工日期', intake: '登记方式', lifecycle: '项目生命周期',
        chain: '四级责任链', participants: '参建单位', personnel: '关键人员', role: '角色', unit: '单位', post: '岗位',
        since: '登记时间', deadlines: '期限', attendance: '考勤', changes: '变更', concealed: '隐蔽工程', acceptances: '验收',
        supervision: '监理记录', logs: '监理日志', standby: '旁站记录', notices: '监理通知', warningsAndCases: '预警与案件',
        attendanceWarnings: '考勤预警', cases: '案件',
      },
      deadline: { rule: '规则', status: '状态', started: '起算', due: '下一节点', days: '时限（天）', extension: '延期（天）', rungs: '已触发' },
      attendance: {
        month: '月份', person: '人员', valid: '有效出勤', leave: '请假', missing: '连续缺勤', validDays: '有效天数', rate: '出勤率',
        flagged: '存疑打卡',
      },
      change: { kind: '类型', status: '状态', description: '内容', raised: '提出时间', planned: '计划实施', afterTheFact: '事后补报' },
      concealed: { part: '部位', date: '计划日期', important: '重要', status: '状态' },
      acceptance: { variant: '类型', status: '状态', started: '发起', decided: '结论时间', conclusion: '结论' },
      supervision: {
        date: '日期', part: '部位', content: '内容', recorded: '记录时间', subject: '事由', status: '状态', within: '整改期限（天）',
        issued: '签发时间',
      },
      cases: {
        title: '案件办理', mine: '待我办理', toVerify: '待我核实', all: '全部案件', openOnly: '未办结', level: '承办层级',
        openedFrom: '{time} 以来', page: '第 {page} 页',
      },
      case: {
        kind: '类别', status: '状态', summary: '摘要', holder: '承办单位', due: '办理时限', opened: '发生时间', overdue: '超期',
        overdueOnly: '只看超期', text: '内容', finding: '办理结论', history: '办理过程', late: '逾期', files: '附件 {count} 个',
      },
      caseKind: { warning: '预警', complaint: '投诉', clue: '线索' },
      caseStatus: {
        received: '待受理', triaged: '已受理', dispatched: '已交办', accepted: '已签收', handled: '处理中', reported: '已上报',
        returned: '被退回', escalated: '已上提', not_ours: '非本级', closed: '已办结',
      },
      recorded: {
        received: '收到', triaged: '受理', dispatched: '交办', accepted: '签收', not_ours: '退回（非本级）', handled: '处理',
        reported: '上报结果', verified: '核实办结', returned: '退回重办', escalated: '上提一级', reminded: '催办', closed: '办结',
        linked: '合并',
      },
      step: {
        triage: '受理分类', dispatch: '交办下级', accept: '签收', 'not-ours': '非本级', handle: '处理', report: '上报结果',
        verify: '核实办结', return: '退回重办', escalate: '上提', close: '直接办结', toUnit: '交办单位', category: '类别',
        text: '办理意见', publicReply: '对投诉人答复', publicReplyHint: '（可选）投诉人可见',
      },
      finding: { substantiated: '属实', unsubstantiated: '不属实', withdrawn: '撤回' },
      category: {
        quality: '质量', safety: '安全', attendance: '考勤', wages: '工资', environment: '环境', contract: '合同', discipline: '纪律',
        other: '其他',
      },
      scores: { title: '企业评分', firm: '企业', composite: '综合得分', colour: '颜色', projects: '项目数', updated: '更新时间' },
      service: { workflow: '流程', attendance: '考勤', complaints: '投诉案件', notification: '通知', scoring: '评分' },
      backOffice: {
        title: '后台管理', clock: '平台时钟（演示）', now: '平台时间', caughtUp: '各服务已同步', catchingUp: '各服务追赶中',
        setClock: '设置时间', clockHint: '仅演示环境（手动时钟）可用；各服务会补跑其间每一天的定时任务。', settings: '规则设置',
        name: '设置项', value: '当前值（JSON）', default: '默认值', article: '条款', changedBy: '最近修改', description: '说明',
        notJson: '取值须为 JSON（数字、true/false、"文字"、[…]）', audit: '审计记录', entity: '对象编号', who: '操作人',
        action: '操作', entityType: '对象类型',
      },
    },
  },
  en: {
    console: {
      title: 'Supervision console',
      menu: { home: 'Home', map: 'Map', projects: 'Projects', cases: 'Case desk', scores: 'Firm scores', backOffice: 'Back office' },
      home: {
        title: 'The district at a glance', projects: 'Projects by status and industry',
        attendance: 'Attendance today (on site / expected)', expected: 'Expected', onSite: 'On site',
        warnings: 'Warnings this week by rule', warningsCount: 'Warnings',
        cases: 'Open cases by level (open / overdue)', open: 'Open', overdue: 'Overdue', colours: 'Firms by colour, {year}',
      },
      level: {
        leading_group: 'Leading group', industry_authority: 'Industry authority', supervising_unit: 'Supervising unit',
        line: 'Line', owner: 'Owner', owner_project_lead: "Owner's project lead", contractor: 'Contractor',
        supervisor: 'Supervisor', designer: 'Designer', surveyor: 'Surveyor', cost_consultant: 'Cost consultant',
        tester: 'Tester', tender_agent: 'Tender agent', discipline: 'Discipline inspection', audit: 'Audit', none: 'Not sent',
      },
      colour: { green: 'Green', blue: 'Blue', yellow: 'Yellow', orange: 'Orange', red: 'Red' },
      map: {
        title: 'Project map', none: 'No open warning', few: '1–2 open warnings', many: '3 or more open warnings',
        openWarnings: '{count} open warnings',
      },
      projects: {
        title: 'Projects', status: 'Status', industry: 'Industry', name: 'Project', planned: 'Planned',
        amount: 'Contract (yuan)',
      },
      project: {
        overview: 'Overview', kind: 'Kind', started: 'Construction started', intake: 'Intake', lifecycle: 'Lifecycle',
        chain: 'Chain of units', participants: 'Firms', personnel: 'Key people', role: 'Role', unit: 'Unit', post: 'Post',
        since: 'Since', deadlines: 'Deadlines', attendance: 'Attendance', changes: 'Changes', concealed: 'Concealed works',
        acceptances: 'Acceptances', supervision: 'Supervision records', logs: 'Supervision logs',
        standby: 'Standby records', notices: 'Supervision notices', warningsAndCases: 'Warnings and cases',
        attendanceWarnings: 'Attendance warnings', cases: 'Cases',
      },
      deadline: { rule: 'Rule', status: 'Status', started: 'Started', due: 'Next due', days: 'Days', extension: 'Extended',
        rungs: 'Rungs fired' },
      attendance: {
        month: 'Month', person: 'Person', valid: 'Valid day', leave: 'Leave', missing: 'Missing streak',
        validDays: 'Valid days', rate: 'Rate', flagged: 'Flagged',
      },
      change: { kind: 'Kind', status: 'Status', description: 'Change', raised: 'Raised', planned: 'Planned',
        afterTheFact: 'After the fact' },
      concealed: { part: 'Part', date: 'Planned', important: 'Important', status: 'Status' },
      acceptance: { variant: 'Kind', status: 'Status', started: 'Started', decided: 'Decided', conclusion: 'Conclusion' },
      supervision: {
        date: 'Date', part: 'Part', content: 'Content', recorded: 'Recorded', subject: 'Subject', status: 'Status',
        within: 'Days to rectify', issued: 'Issued',
      },
      cases: {
        title: 'Case desk', mine: 'Held by my units', toVerify: 'Reports to verify', all: 'All cases', openOnly: 'Not closed',
        level: 'Held at', openedFrom: 'Since {time}', page: 'Page {page}',
      },
      case: {
        kind: 'Kind', status: 'Status', summary: 'Summary', holder: 'Held by', due: 'Due', opened: 'Opened',
        overdue: 'Overdue', overdueOnly: 'Overdue only', text: 'Text', finding: 'Finding', history: 'History', late: 'late',
        files: '{count} file(s)',
      },
      caseKind: { warning: 'Warning', complaint: 'Complaint', clue: 'Clue' },
      caseStatus: {
        received: 'Received', triaged: 'Triaged', dispatched: 'Dispatched', accepted: 'Accepted', handled: 'Handled',
        reported: 'Reported', returned: 'Returned', escalated: 'Escalated', not_ours: 'Not ours', closed: 'Closed',
      },
      recorded: {
        received: 'Received', triaged: 'Triaged', dispatched: 'Dispatched', accepted: 'Accepted', not_ours: 'Not ours',
        handled: 'Handled', reported: 'Reported', verified: 'Verified', returned: 'Returned', escalated: 'Escalated',
        reminded: 'Reminded', closed: 'Closed', linked: 'Linked',
      },
      step: {
        triage: 'Triage', dispatch: 'Pass down', accept: 'Accept', 'not-ours': 'Not ours', handle: 'Handle',
        report: 'Report', verify: 'Verify', return: 'Return', escalate: 'Escalate', close: 'Close', toUnit: 'To unit',
        category: 'Category', text: 'Text', publicReply: 'Reply to the complainant',
        publicReplyHint: '(optional) shown to the complainant',
      },
      finding: { substantiated: 'Substantiated', unsubstantiated: 'Unsubstantiated', withdrawn: 'Withdrawn' },
      category: {
        quality: 'Quality', safety: 'Safety', attendance: 'Attendance', wages: 'Wages', environment: 'Environment',
        contract: 'Contract', discipline: 'Discipline', other: 'Other',
      },
      scores: { title: 'Firm scores', firm: 'Firm', composite: 'Composite', colour: 'Colour', projects: 'Projects',
        updated: 'Updated' },
      service: { workflow: 'Workflow', attendance: 'Attendance', complaints: 'Cases', notification: 'Notification',
        scoring: 'Scoring' },
      backOffice: {
        title: 'Back office', clock: 'Platform clock (demo)', now: 'Platform time', caughtUp: 'every service caught up',
        catchingUp: 'services catching up', setClock: 'Set the time',
        clockHint: 'Only on a demo (manual clock); each service runs the timed work of every day in between.',
        settings: 'Rule settings', name: 'Setting', value: 'Value (JSON)', default: 'Default', article: 'Article',
        changedBy: 'Last changed', description: 'Description',
        notJson: 'A value is JSON (a number, true/false, "text", […])', audit: 'Audit trail', entity: 'Entity id',
        who: 'Who', action: 'Action', entityType: 'Entity type',
      },
    },
  },
}
