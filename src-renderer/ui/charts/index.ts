/** Charts drawn in SVG with no chart library. */
export { LineChart } from "./LineChart.js";
export type { ChartPoint, ChartSeries, LineChartProps } from "./LineChart.js";
export { formatDecade, formatTick, formatValue, logScale, niceScale, niceStep, type Scale } from "./ticks.js";
