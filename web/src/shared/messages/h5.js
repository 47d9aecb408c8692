// Words shared by the two H5 apps (web/src/h5/common): the phone's position, key posts, files.
export default {
  zh: {
    h5: {
      position: {
        denied: '未允许本应用获取位置：请在手机设置中允许定位后重试',
        unavailable: '暂时无法获取位置：请到开阔处、打开GPS后重试',
        timeout: '获取位置超时，请重试',
        unsupported: '此浏览器不能获取位置',
      },
      files: { add: '添加文件', uploading: '上传中…', failed: '上传失败' },
      month: { previous: '上月', next: '下月' },
    },
    post: {
      chief: '总管', staff: '工作人员', complaint_intake: '受理员', line_head: '条线主管',
      owner_project_lead: '建设单位项目负责人', project_manager: '施工项目负责人', technical_lead: '技术负责人',
      safety_officer: '安全员', chief_engineer: '总监理工程师', specialist_engineer: '专业监理工程师',
      inspector: '监理员',
    },
  },
  en: {
    h5: {
      position: {
        denied: 'This app may not read your position: allow location in the phone\'s settings and try again',
        unavailable: 'Your position cannot be found now: go into the open, turn GPS on and try again',
        timeout: 'Finding your position took too long; try again',
        unsupported: 'This browser cannot tell your position',
      },
      files: { add: 'Add a file', uploading: 'Uploading…', failed: 'Upload failed' },
      month: { previous: 'Previous month', next: 'Next month' },
    },
    post: {
      chief: 'Chief', staff: 'Staff', complaint_intake: 'Complaint intake', line_head: 'Line head',
      owner_project_lead: 'Owner\'s project lead', project_manager: 'Project manager', technical_lead: 'Technical lead',
      safety_officer: 'Safety officer', chief_engineer: 'Chief engineer', specialist_engineer: 'Specialist engineer',
      inspector: 'Inspector',
    },
  },
}
