// The words of the zlb H5 app (web/src/h5/zlb).
export default {
  zh: { zlb: { title: '浙里办 · 企业端', placeholder: '此为浙里办 · 企业端H5 应用' } },
  en: { zlb: { title: 'ZLB · enterprise', placeholder: 'This is the ZLB · enterprise H5 app' } },
}
