// The parts of ECharts the console draws with (bars, pies, a gauge), registered once.
import * as echarts from 'echarts/core'
import { BarChart, GaugeChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, GaugeChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

// The five colours of Art. 37, as the scoring service names them, drawn in their own colour.
export const COLOUR_HEX = { green: '#3ba272', blue: '#5470c6', yellow: '#fac858', orange: '#fc8452', red: '#ee6666' }

export { echarts }
