// The words of the zzd H5 app (web/src/h5/zzd).
export default {
  zh: { zzd: { title: '浙政钉 · 政府端', placeholder: '此为浙政钉 · 政府端H5 应用' } },
  en: { zzd: { title: 'ZZD · government', placeholder: 'This is the ZZD · government H5 app' } },
}
