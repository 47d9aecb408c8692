// The words of the district console (web/src/console).
export default {
  zh: {
    console: {
      title: '监管控制台',
      menu: { home: '首页', map: '项目地图', projects: '项目', cases: '案件办理', backOffice: '后台管理' },
      home: { title: '全区概况' },
    },
  },
  en: {
    console: {
      title: 'Supervision console',
      menu: { home: 'Home', map: 'Map', projects: 'Projects', cases: 'Case desk', backOffice: 'Back office' },
      home: { title: 'The district at a glance' },
    },
  },
}
